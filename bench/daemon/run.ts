/**
 * bench:daemon — a daemon holding 100 idle volumes: memory (RSS) and CPU over a period, against a
 * baseline measured in the same run: an idle node process (a timer, nothing else). The daemon runs as
 * a real process on a real git repository with the native driver; once every volume is Ready (each
 * initialised, fully backed up and snapshotted once, schedules a day apart) it is sampled every second
 * for BENCH_DAEMON_SECONDS (default 60), from 15 s after it converged. CPU counts the git processes it
 * spawns (waited-for children); the host file's interval is BENCH_DAEMON_INTERVAL (default 10s, as the
 * embedded default's); BENCH_DAEMON_NODE_ARGS gives the daemon node flags (e.g. --cpu-prof).
 * Targets: under 150 MB RSS and under 1 % of a core. `--json` prints the figures as JSON.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VOLUMES = Number(process.env.BENCH_DAEMON_VOLUMES ?? 100);
const SECONDS = Number(process.env.BENCH_DAEMON_SECONDS ?? 60);
const INTERVAL = process.env.BENCH_DAEMON_INTERVAL ?? '10s';
const PORT = Number(process.env.BENCH_DAEMON_PORT ?? 19_869);
// Node flags for the daemon only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/dprof" to see where its time goes.
const NODE_ARGS = (process.env.BENCH_DAEMON_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const bin = fileURLToPath(new URL('../../../bin/walbctl.js', import.meta.url));
const TICKS = 100; // USER_HZ on Linux

function hostFile(): string {
  const volumes = Array.from({ length: VOLUMES }, (_, i) => `  v${String(i).padStart(3, '0')}:
    device: { path: volumes/v${i}.img, size: 1MiB }
    capture: scan
    proxies: [local]
    archives: [local]
    snapshots: { every: 1d }
    retention: { keepLast: 3 }
    merge: { interval: 1d, maxNr: 10, maxSize: 256MiB }
`).join('');
  return `host: local
address: 127.0.0.1
roles: [storage, proxy, archive]
dataDir: data
driver: native
daemon:
  interval: ${INTERVAL}
  listen: 127.0.0.1:${PORT}
storage:
  wlogSize: 16MiB
proxy:
  listen: 127.0.0.1:${PORT + 1}
archive:
  listen: 127.0.0.1:${PORT + 2}
volumes:
${volumes}`;
}

/** utime+stime+cutime+cstime (seconds) and RSS (bytes) of a process from /proc. */
function sample(pid: number): { cpu: number; rss: number } {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`process ${pid} exited while it was sampled (see its errors above)`);
    throw err;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS;
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  return { cpu, rss };
}

interface Figures {
  cpuPercent: number;
  /** CPU per 10 s window, to show whether the cost is steady or comes in bursts. */
  cpuPercentByWindow: number[];
  rssPeakBytes: number;
  rssMeanBytes: number;
}

async function observe(pid: number, seconds: number): Promise<Figures> {
  const start = sample(pid);
  const t0 = process.hrtime.bigint();
  const rss: number[] = [start.rss];
  const windows: number[] = [];
  let windowStart = start.cpu;
  for (let i = 1; i <= seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = sample(pid);
    rss.push(s.rss);
    if (i % 10 === 0) {
      windows.push(((s.cpu - windowStart) / 10) * 100);
      windowStart = s.cpu;
    }
  }
  const end = sample(pid);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return { cpuPercent: ((end.cpu - start.cpu) / wall) * 100, cpuPercentByWindow: windows, rssPeakBytes: Math.max(...rss), rssMeanBytes: rss.reduce((a, b) => a + b, 0) / rss.length };
}

async function allReady(): Promise<boolean> {
  try {
    const s = (await (await fetch(`http://127.0.0.1:${PORT}/status`)).json()) as { volumes: Record<string, { conditions: { type: string; status: string }[] }> };
    const vols = Object.values(s.volumes);
    return vols.length === VOLUMES && vols.every((v) => v.conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
  } catch {
    return false;
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const dir = mkdtempSync(join(tmpdir(), 'walbctl-bench-daemon-'));
const children: ChildProcess[] = [];
try {
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, 'hosts'), { recursive: true });
  writeFileSync(join(repo, 'hosts/local.yaml'), hostFile());
  writeFileSync(join(repo, '.gitignore'), 'data/\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...args], { cwd: repo });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', `${VOLUMES} idle volumes`);

  // The daemon does not create a missing dataDir (a typo would start an empty archive): an operator
  // makes it, as here.
  mkdirSync(join(repo, 'data'), { recursive: true });
  const started = Date.now();
  const daemon = spawn(process.execPath, [...NODE_ARGS, bin, 'daemon', '--repo', repo, '--host', 'local', '--workdir', join(dir, 'checkout'), '--log-format', 'json', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, XDG_STATE_HOME: join(dir, 'state') },
  });
  children.push(daemon);
  // Its log is JSON lines on stdout: errors are shown (a daemon that refuses its tree would
  // otherwise leave this waiting for the 10 minutes below without a word).
  let partial = '';
  daemon.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (/"level":(50|60)/.test(line)) process.stderr.write(`daemon: ${line}\n`);
  });
  while (!(await allReady())) {
    if (daemon.exitCode !== null) throw new Error(`the daemon exited (${daemon.exitCode}) before converging`);
    if (Date.now() - started > 600_000) throw new Error('the daemon did not converge within 10 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  const convergeSeconds = (Date.now() - started) / 1000;
  // Idle from here: let the follow-up passes after convergence and one interval go by.
  await new Promise((r) => setTimeout(r, 15_000));

  const baselineProc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(baselineProc);
  const [d, b] = await Promise.all([observe(daemon.pid!, SECONDS), observe(baselineProc.pid!, SECONDS)]);

  const mb = (n: number) => (n / 1048576).toFixed(1);
  const figures = {
    machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}`,
    volumes: VOLUMES,
    interval: INTERVAL,
    seconds: SECONDS,
    convergeSeconds,
    daemon: d,
    baseline: b,
    targets: { rssBytes: 150 * 1048576, cpuPercent: 1 },
    pass: d.rssPeakBytes < 150 * 1048576 && d.cpuPercent < 1,
  };
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
  else {
    console.log(`bench:daemon — ${VOLUMES} idle volumes, interval ${INTERVAL}, sampled for ${SECONDS} s (${figures.machine})`);
    console.log(`  converged (init, full backup, first snapshot of every volume) in ${convergeSeconds.toFixed(1)} s`);
    console.log('');
    console.log('                          RSS peak   RSS mean   CPU (% of one core)');
    console.log(`  walbctl daemon          ${mb(d.rssPeakBytes).padStart(6)} MB  ${mb(d.rssMeanBytes).padStart(6)} MB  ${d.cpuPercent.toFixed(2).padStart(6)} %`);
    console.log(`  baseline: idle node     ${mb(b.rssPeakBytes).padStart(6)} MB  ${mb(b.rssMeanBytes).padStart(6)} MB  ${b.cpuPercent.toFixed(2).padStart(6)} %`);
    console.log(`  daemon CPU per 10 s window: ${d.cpuPercentByWindow.map((c) => c.toFixed(2)).join(', ')} %`);
    console.log('');
    console.log(`  targets: < 150 MB RSS, < 1 % of a core — ${figures.pass ? 'met' : 'NOT met'}`);
  }
  process.exitCode = figures.pass ? 0 : 1;
} finally {
  for (const c of children) await stop(c);
  rmSync(dir, { recursive: true, force: true });
}
