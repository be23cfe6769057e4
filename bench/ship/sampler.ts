/**
 * bench:ship's recovery-point sampler, a process of its own: every INTERVAL ms it asks the archive
 * which gid it holds and prints `{"t": epoch ms, "gid": N}` a line. The bench pins it beside the
 * proxy and the archive (BENCH_SHIP_PIN=1): reading the archive's chain costs 2-18 ms of CPU a
 * sample as the diffs pile up, which is the archive host's work, not the writer's.
 *
 * Usage: node sampler.js ARCHIVE-DATA-DIR VOLUME INTERVAL-MS (stops when stdin closes).
 */
import { restorable } from '../../native/lib/archive/query.js';

const [dataDir, vol, intervalArg] = process.argv.slice(2);
if (!dataDir || !vol) {
  process.stderr.write('usage: sampler.js ARCHIVE-DATA-DIR VOLUME [INTERVAL-MS]\n');
  process.exit(2);
}
const interval = Number(intervalArg ?? 250);
let busy = false;
const timer = setInterval(() => {
  if (busy) return;
  busy = true;
  const t = Date.now();
  restorable(dataDir, vol)
    .then((r) => process.stdout.write(`${JSON.stringify({ t, gid: r[r.length - 1]?.gid ?? 0 })}\n`))
    .catch((e: Error) => process.stderr.write(`sampler: ${e.message}\n`))
    .finally(() => (busy = false));
}, interval);
process.stdin.resume();
process.stdin.on('end', () => clearInterval(timer));
