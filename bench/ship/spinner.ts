/**
 * bench:ship's stand-in for the other hosts' CPU: busy for DUTY of every PERIOD ms, asleep for the
 * rest, until stdin closes. On this 2-vCPU machine the proxy and the archive share the VM with the
 * storage host, and a busy second vCPU slows the first one (a spinner alone on CPU 1 cost a 1 MiB
 * sequential writer on CPU 0 18 %, docs/BENCHMARKS.md): the bench runs a shipping-off baseline with
 * this spinner as busy as the proxy and the archive were, so that what is left of the writer's loss
 * is what the shipping costs the storage host.
 *
 * Usage: node spinner.js DUTY(0..1) [PERIOD-MS]
 */
const duty = Math.min(1, Math.max(0, Number(process.argv[2])));
const period = Number(process.argv[3] ?? 20);
if (!Number.isFinite(duty) || !(period > 0)) {
  process.stderr.write('usage: spinner.js DUTY(0..1) [PERIOD-MS]\n');
  process.exit(2);
}
let running = true;
process.stdin.on('end', () => (running = false));
process.stdin.on('close', () => (running = false));
process.stdin.resume();
const deadline = Date.now() + 10 * 60_000; // bounded whatever happens to the parent
function slice(): void {
  if (!running || Date.now() > deadline) process.exit(0);
  const until = performance.now() + duty * period;
  while (performance.now() < until) {
    // busy
  }
  setTimeout(slice, Math.max(0, (1 - duty) * period));
}
slice();
