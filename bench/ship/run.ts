/**
 * npm run bench:ship — what continuous log shipping costs the writer, and how far the archive trails.
 * fio writes to a loop device over a served wdev (4 KiB random, 1 MiB sequential, iodepth 16,
 * direct), alternating in one run: shipping off (the log is only freed between runs, as bench:wdev
 * does) and shipping on (this process ships bounded batches over mutual TLS to a proxy process on
 * 127.0.0.41, which forwards them to an archive process on 127.0.0.42). While fio runs, the recovery
 * point — the age of the newest write the archive holds, dated by where the wdev's log ended (its
 * latest lsid) sampled every 250 ms beside the archive's newest gid (sampler.ts) — is sampled at full speed (where it
 * measures the backlog a burst leaves) and with the writer held at BENCH_SHIP_RATE (default 0.5) of
 * the round's shipping-off throughput and of what the shipping carried at full speed, whichever is
 * lower (fio --rate_iops / --rate: the disk keeps up). After each run shipping goes on until the
 * archive holds every write of the run (the catch-up). CPU seconds per GB shipped are printed per stage: the storage host's (the
 * shipping loop and wire, the extract) apart from the proxy's and the archive's. BENCH_SHIP_PIN
 * pins fio and the wdev server to CPU 0 and the proxy, the archive and the sampler to CPU 1, and the
 * storage's shipping by placement: `shared` (or 1) on CPU 0, the writer's core; `spare` on CPU 1, a
 * core the writer does not use; `shared,spare` alternates the two in each round of one run.
 * Each round also runs shipping off with the other hosts' CPU on this machine: a spinner (spinner.ts)
 * as busy as the proxy and the archive were during the shipping-on run (on CPU 1 when
 * pinned): on this VM a busy second vCPU slows the first, and what production puts on other hosts
 * must not count as the storage host's cost; the writer cost is printed against both baselines.
 * The ring is written once over before round 1 (unmeasured); each CPU's /proc/stat time while fio
 * ran is printed per kind of run (is the writer's core busy, or waiting on the disk).
 * Goals: writer cost < 10 %, recovery point p99 < 5 s, proxy peak RSS < 256 MB.
 * BENCH_SHIP_SIZE (bytes, default 1 GiB), BENCH_SHIP_RUNTIME (s, default 15), BENCH_SHIP_ROUNDS (2);
 * BENCH_SHIP_NODE_ARGS: node options for the proxy and archive processes (e.g. "--cpu-prof");
 * BENCH_SHIP_GATHER_MS: the shipper's least time between batch cuts (its default: 500 ms);
 * BENCH_SHIP_BATCH: the most one batch carries (default 128 MiB, the daemon's);
 * BENCH_SHIP_REMOTE_NICE: the nice value of the proxy, the archive and the sampler (default 0).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { initArchiveVolume } from '../../native/lib/archive/lifecycle.js';
import { receiveFullBackup } from '../../native/lib/archive/receive.js';
import { applyUpTo } from '../../native/lib/archive/apply.js';
import { restorable } from '../../native/lib/archive/query.js';
import { packageRoot } from '../../native/lib/load.js';
import { addArchive, startVolume } from '../../native/lib/proxy/archives.js';
import { writeSpoolConfig } from '../../native/lib/proxy/config.js';
import { sendLogBatch } from '../../native/lib/proxy/log-batch.js';
import { attachWdev, detachWdev } from '../../native/lib/wdev/attach.js';
import { readCapture, settleAcknowledged, writeCapture } from '../../native/lib/wdev/capture-state.js';
import { createWdev } from '../../native/lib/wdev/create.js';
import { readWdevConfig } from '../../native/lib/wdev/config.js';
import { logStatus, resetLog, setOldest, syncLog } from '../../native/lib/wdev/log-position.js';
import { wdevPaths } from '../../native/lib/wdev/paths.js';
import { checkPrerequisites, serveWdev } from '../../native/lib/wdev/serve.js';
import { ProxyFailover } from '../../native/lib/wdev/proxy-failover.js';
import { WALB_MAX_BATCH_BYTES } from '../../native/lib/wdev/ship-log.js';
import { Shipper } from '../../native/lib/wdev/shipper.js';
import { stopWdev } from '../../native/lib/wdev/stop.js';
import { initCa, issueHost, WireClient, wireStatus, type WirePeer } from '../../native/lib/wire/index.js';
import { runFio, runFioAsync, type FioJob, type FioResult } from '../wdev/fio.js';

const SIZE = Number(process.env.BENCH_SHIP_SIZE ?? 1 << 30);
const RUNTIME = Number(process.env.BENCH_SHIP_RUNTIME ?? 15);
const ROUNDS = Math.max(1, Number(process.env.BENCH_SHIP_ROUNDS ?? 2));
const RING = 8 * 2 ** 30;
// The "disk keeps up" phase holds the writer at this fraction of the round's shipping-off throughput.
const RATE = Number(process.env.BENCH_SHIP_RATE ?? 0.5);
// BENCH_SHIP_PIN: fio and the wdev server on CPU 0, the proxy and the archive on CPU 1, so the
// writer cost is what shipping costs the storage host; the storage's shipping (this process) on the
// writer's core (`shared`, or 1: a host whose one core the writer saturates) or on the other one
// (`spare`: a host with a core the writer leaves to its daemon); a list alternates them per round.
type Placement = 'shared' | 'spare';
const PLACEMENTS: Placement[] = (process.env.BENCH_SHIP_PIN ?? '')
  .split(',')
  .filter((x) => x !== '' && x !== '0')
  .map((x) => {
    if (x === '1' || x === 'shared') return 'shared';
    if (x === 'spare') return 'spare';
    throw new Error(`BENCH_SHIP_PIN: "${x}" is not 1, shared or spare`);
  });
const PIN = PLACEMENTS.length > 0;
/** Moves this process (every thread it has; later ones inherit) to the placement's core. */
function place(pl: Placement): void {
  execFileSync('taskset', ['-a', '-cp', pl === 'spare' ? '1' : '0', String(process.pid)], { stdio: 'ignore' });
}
// BENCH_SHIP_REMOTE_DIR (e.g. /dev/shm): where the proxy's and the archive's data live — another
// host's disk, so that their writes and fsyncs do not queue behind the writer's on the one disk here.
const REMOTE_DIR = process.env.BENCH_SHIP_REMOTE_DIR;
// BENCH_SHIP_REMOTE_NICE (e.g. 19): the proxy's, the archive's and the sampler's nice value. They
// stand for other hosts; on this machine they share the cores (and the kernel's work for the
// writer's I/O) with the storage host, which a niced process yields to at once.
const REMOTE_NICE = Number(process.env.BENCH_SHIP_REMOTE_NICE ?? 0);
/** The command line for a remote host's process, niced as BENCH_SHIP_REMOTE_NICE says. */
function remoteCommand(args: string[]): [string, string[]] {
  return REMOTE_NICE ? ['nice', ['-n', String(REMOTE_NICE), process.execPath, ...args]] : [process.execPath, args];
}
// BENCH_SHIP_TRACE=1: a line per batch acknowledged and per recovery-point sample; BENCH_SHIP_JOBS: e.g. "seq1m".
const TRACE = process.env.BENCH_SHIP_TRACE === '1';
// The most one batch carries: the daemon's default, WalB's 128 MiB. (32 MiB, this bench's default
// until 2026-12-06, left a longer backlog at full speed: one batch in flight, each a round trip.)
const BATCH = Number(process.env.BENCH_SHIP_BATCH ?? WALB_MAX_BATCH_BYTES);
// The sequential job runs at most 8 s: at 600 MiB/s, 15 s of it is more log than the 8 GiB ring holds
// while a batch crosses the wire at tens of MiB/s (the ring absorbs the burst; the recovery point grows).
const JOBS: (FioJob & { metric: 'iops' | 'mibPerSec'; runtime: number })[] = [
  { name: 'rand4k', rw: 'randwrite', bs: '4k', metric: 'iops', runtime: RUNTIME },
  { name: 'seq1m', rw: 'write', bs: '1m', metric: 'mibPerSec', runtime: Math.min(RUNTIME, 8) },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts scripts/ship-host.mjs in one role; resolves once it listens, with its address. */
function startHost(role: 'proxy' | 'archive', cfg: { host: string } & Record<string, unknown>): Promise<{ child: ChildProcess; peer: WirePeer }> {
  const nodeArgs = (process.env.BENCH_SHIP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const [cmd, args] = remoteCommand([...nodeArgs, join(packageRoot(), 'scripts/ship-host.mjs'), '--role', role, '--config', JSON.stringify(cfg)]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        const ready = (JSON.parse(out.split('\n')[0]!) as { ready: { address: string; port: number } }).ready;
        resolve({ child, peer: { host: cfg.host, ...ready } });
      }
    });
    child.once('exit', (code) => reject(new Error(`${role} ${cfg.host} exited ${code}`)));
  });
}

/** A field of /proc/PID/status in MiB (VmHWM: peak RSS; RssAnon: heap and buffers; RssFile: mapped files). */
function statusMiB(pid: number, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** utime + stime of a process in seconds (clock ticks of 10 ms); with `children`, of its waited-for children. */
function procCpu(pid: number | 'self', children = false): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return children ? (Number(f[13]) + Number(f[14])) / 100 : (Number(f[11]) + Number(f[12])) / 100;
}

/** CPU seconds of each stage, taken before and after each run. */
interface Cpu {
  storage: number;
  extract: number;
  server: number;
  proxy: number;
  archive: number;
}

/** The middle value; the mean of the two middle ones for an even count (2 or 4 rounds: not the lower one, which flattered). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** How long the bench waits for the archive to hold a run's every write before it stops shipping. */
const DRAIN_MS = 120_000;
/** Catch-up seconds; a negative entry is a wait that ended before the catch-up did. */
const drainText = (s: number) => (s < 0 ? `> ${(-s).toFixed(1)} s (unfinished)` : `${s.toFixed(1)} s`);
const drainMax = (xs: number[]) => xs.reduce((m, x) => (Math.abs(x) > Math.abs(m) || (Math.abs(x) === Math.abs(m) && x < 0) ? x : m), 0);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}

async function main(): Promise<void> {
  await checkPrerequisites();
  const root = mkdtempSync(join(process.env.BENCH_SHIP_DIR ?? '/var/tmp', 'walbctl-bench-ship-'));
  const dataDir = join(root, 'db-1');
  const remote = REMOTE_DIR ? mkdtempSync(join(REMOTE_DIR, 'walbctl-bench-ship-')) : root;
  const px = join(remote, 'px-1');
  const ar = join(remote, 'ar-1');
  const pki = join(root, 'pki');
  const vol = 'bench';
  const hosts: ChildProcess[] = [];
  try {
    await initCa(pki);
    for (const h of ['db-1', 'px-1', 'ar-1']) await issueHost(pki, h);
    const tls = (h: string) => ({ ca: join(pki, 'ca.crt'), cert: join(pki, `${h}.crt`), key: join(pki, `${h}.key`) });
    await createWdev(dataDir, vol, { sizeBytes: SIZE, ringBytes: RING });
    const server = await serveWdev(dataDir, vol);
    const p = wdevPaths(dataDir, vol);
    const cfg = await readWdevConfig(p.config);
    // The archive starts from the all-zero image at gid 0, the log from where the wdev is now.
    await initArchiveVolume(ar, vol);
    await receiveFullBackup(ar, vol, { deviceUuid: cfg.uuid, sizeBytes: SIZE, snap: { b: 0, e: 0 }, timestamp: new Date().toISOString(), id: 'bench', produce: async (tmp) => {
      await writeFile(tmp, '');
      execFileSync('truncate', ['-s', String(SIZE), tmp]);
    } });
    const start = await syncLog(p, vol);
    await writeCapture(p.capture, { formatVersion: 1, archiveDataDir: join(root, 'unused'), shipped: { snap: { b: 0, e: 0 }, lsid: start.permanentLsid, explicit: false }, queue: [], latestGid: 0 });
    await addArchive(px, vol, { host: 'ar-1' });
    await startVolume(px, vol);
    await writeSpoolConfig(px, { limitBytes: 4 * 2 ** 30 });
    const arHost = await startHost('archive', { host: 'ar-1', pki, dataDir: ar, listen: { address: '127.0.0.42', port: 0 } });
    hosts.push(arHost.child);
    const pxHost = await startHost('proxy', { host: 'px-1', pki, dataDir: px, listen: { address: '127.0.0.41', port: 0 }, volume: vol, archives: { 'ar-1': arHost.peer }, idleMs: 50 });
    hosts.push(pxHost.child);
    // The recovery-point sampler reads the archive every 250 ms in a process of its own (the
    // archive host's work; 2-18 ms of CPU a sample as the diffs pile up): each line a gid it holds.
    const [samplerCmd, samplerArgs] = remoteCommand([join(packageRoot(), 'dist/bench/ship/sampler.js'), ar, vol, p.socket, '250']);
    const sampler = spawn(samplerCmd, samplerArgs, { stdio: ['pipe', 'pipe', 'inherit'] });
    hosts.push(sampler);
    let onSample: ((t: number, gid: number) => void) | null = null;
    let sampledGid = 0;
    let pending = '';
    // Marks: how far the log was written at each sample (lsids only grow). A write past a mark's
    // lsid came after the mark, so the recovery point of an archive holding the log up to lsid E is
    // at most the age of the newest mark at or below E (the daemon's status reads it the same way).
    const marks: { t: number; written: number }[] = [];
    const recoveryPoint = (t: number, end: number): number | null => {
      let lo = 0;
      let hi = marks.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (marks[mid]!.written <= end && marks[mid]!.t <= t) (found = mid), (lo = mid + 1);
        else hi = mid - 1;
      }
      return found < 0 ? null : (t - marks[found]!.t) / 1000;
    };
    sampler.stdout!.on('data', (d: Buffer) => {
      pending += d.toString();
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        const { t, written, gid } = JSON.parse(pending.slice(0, i)) as { t: number; written: number | null; gid: number };
        pending = pending.slice(i + 1);
        if (written !== null && (marks.length === 0 || written >= marks[marks.length - 1]!.written)) marks.push({ t, written });
        sampledGid = gid;
        onSample?.(t, gid);
      }
    });
    if (PIN) {
      // -a: every thread the process has now; threads made later inherit their maker's CPUs.
      for (const [pid, cpu] of [[server.pid, 0], [pxHost.child.pid!, 1], [arHost.child.pid!, 1], [sampler.pid!, 1]] as const) execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
    }
    const client = new WireClient({ host: 'db-1', tls: tls('db-1'), connectTimeoutMs: 5000 });
    const w = await attachWdev(dataDir, vol);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load ${readFileSync('/proc/loadavg', 'utf8').trim()}; ${new Date().toISOString()}`);
    console.log(`wdev ${(SIZE / 2 ** 30).toFixed(2)} GiB on ${w.device}; proxy px-1 ${pxHost.peer.address}:${pxHost.peer.port} (pid ${pxHost.child.pid}), archive ar-1 ${arHost.peer.address}:${arHost.peer.port}; ${RUNTIME} s per run, ${ROUNDS} rounds, batches of at most ${(BATCH / 2 ** 20).toFixed(0)} MiB`);
    // Shipping off: the log is freed before each run and every 2 s during it, as if shipped at no
    // cost (a 1 MiB sequential writer fills even an 8 GiB ring in 15 s). A run that overflowed the
    // ring (shipping slower than the writer) is reported, and the log restarted for the next run.
    let overflows = 0;
    const drop = async () => {
      let st = await syncLog(p, vol);
      if (st.overflow) {
        overflows++;
        console.log('  the log overflowed during that run (shipping did not keep up): log restarted');
        st = await resetLog(p, vol);
      }
      await setOldest(p, vol, st.permanentLsid);
    };
    // Each CPU's time while fio ran (/proc/stat: user, nice, system, idle, iowait, irq, softirq), per
    // job, placement and kind of run: is the writer's core saturated, and by what.
    const cpuStat = new Map<string, number[][]>();
    const procStat = () => readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l)).map((l) => l.trim().split(/\s+/).slice(1, 8).map(Number));
    const statRun = async <T>(key: string, f: () => Promise<T>): Promise<T> => {
      const a = procStat();
      const r = await f();
      const b = procStat();
      const acc = cpuStat.get(key) ?? b.map((c) => c.map(() => 0));
      b.forEach((c, i) => c.forEach((v, j) => (acc[i]![j]! += v - a[i]![j]!)));
      cpuStat.set(key, acc);
      return r;
    };
    let statKey = '';
    // First touch, unmeasured: the device once, and the ring once over (the log freed between
    // passes). A fresh file's first writes cost more (the file system allocates): before this, every
    // first round's shipping-off run wrote the ring's first pass and came out 10-25 % slow.
    for (let written = 0; written < RING + SIZE; written += SIZE) {
      runFio({ name: 'fill', rw: 'write', bs: '1m' }, w.device, { runtimeSec: 0, sizeBytes: SIZE });
      await drop();
    }
    const offRun = async (job: FioJob & { runtime: number }, kind = 'off') => {
      const t = setInterval(() => void drop().catch(() => {}), 2000);
      try {
        return await statRun(`${statKey}|${kind}`, () => runFioAsync(job, w.device, { runtimeSec: job.runtime, sizeBytes: SIZE, ...(PIN ? { cpus: '0' } : {}) }));
      } finally {
        clearInterval(t);
      }
    };
    // Shipping on: the ship loop, and when each gid was cut from the log (for the recovery point).
    const cutAt = new Map<number, number>([[0, Date.now()]]);
    // The lsid each gid's batch ends at: a gid the archive holds dates the newest write it holds.
    const endOf = new Map<number, number>();
    let shipping = false;
    let shipped = 0;
    let shippedBytes = 0;
    // What the storage's sends put on the wire (after compression) against the log bytes they carried.
    const wire = { sent: 0, wire: 0 };
    const fo = new ProxyFailover([pxHost.peer], {
      send: async (peer, meta, wlog) => {
        const r = await sendLogBatch(client, peer, { meta, wlog });
        wire.sent += r.sentBytes;
        wire.wire += r.wireBytes;
      },
      probe: (peer) => wireStatus(client, peer, vol),
    });
    const shipper = new Shipper(dataDir, vol, fo, {
      maxBatchBytes: BATCH,
      ...(process.env.BENCH_SHIP_GATHER_MS ? { gatherMs: Number(process.env.BENCH_SHIP_GATHER_MS) } : {}),
      onBatch: (b, at) => {
        if (TRACE) console.log(`    gid ${b.gid}: ${(b.bytes / 2 ** 20).toFixed(1)} MiB, cut ${new Date(at).toISOString().slice(11, 23)}, acknowledged after ${Date.now() - at} ms`);
        cutAt.set(b.gid, at);
        endOf.set(b.gid, b.lsid.e);
        shipped++;
        shippedBytes += b.bytes;
      },
    });
    const shipLoop = async () => {
      shipper.start();
      while (shipping) await sleep(50);
      await shipper.stop();
      if (shipper.state.lastError) console.log(`  shipping: ${shipper.state.lastError}`);
    };
    let peakAnon = 0;
    // What each stage spent: this process (the storage's shipping loop and wire, and the bench's
    // 250 ms sampler), its children less fio (the wdev extract runs), the wdev server, proxy, archive.
    const stages = (): Cpu => {
      const own = process.cpuUsage();
      return { storage: (own.user + own.system) / 1e6, extract: procCpu('self', true), server: procCpu(server.pid), proxy: procCpu(pxHost.child.pid!), archive: procCpu(arHost.child.pid!) };
    };
    const zero = (): Cpu => ({ storage: 0, extract: 0, server: 0, proxy: 0, archive: 0 });
    // Before each shipping run the log is freed unshipped (as for the off runs) and the shipped
    // position moved there: the archive's image then no longer matches the device (this bench checks
    // costs and delays, not contents: test/native/proxy and scripts/ship-faults.mjs check contents).
    // The archive's diffs are applied to its base before each shipping run (outside the measured
    // window; the archive's lock keeps its process out meanwhile): a run of several rounds ships
    // tens of GB, which would otherwise fill BENCH_SHIP_REMOTE_DIR (a tmpfs takes it from memory).
    const applied = { diffs: 0, bytes: 0, seconds: 0 };
    const applyArchived = async (): Promise<void> => {
      const newest = (await restorable(ar, vol)).at(-1);
      if (!newest) return;
      const r = await applyUpTo(ar, vol, newest.gid);
      applied.diffs += r.diffsApplied;
      applied.bytes += r.bytes;
      applied.seconds += r.seconds;
    };
    const skipToNow = async (): Promise<number> => {
      await applyArchived();
      // The batch acknowledged last may still be queued in capture.json (the shipping loop records
      // it on its next pass): recorded first, so that the next run's diffs follow the archive's gid.
      const c = await readCapture(p.capture, vol);
      settleAcknowledged(c, (await logStatus(p, vol)).oldestLsid);
      await drop();
      const st0 = await syncLog(p, vol);
      c.shipped.lsid = st0.permanentLsid;
      c.queue = [];
      await writeCapture(p.capture, c);
      shipper.state.overflowed = false;
      shipper.state.lastError = null;
      return st0.permanentLsid;
    };
    /** One fio run with shipping on: its result, the recovery point samples, CPU per stage, bytes shipped. */
    // The other hosts' CPU (the proxy and the archive), seconds: what a shipping-on run puts on this
    // machine that production puts elsewhere (the sampler runs through the shipping-off runs too).
    const remoteCpu = () => procCpu(pxHost.child.pid!) + procCpu(arHost.child.pid!);
    /**
     * Shipping off, with the other hosts' CPU load as a spinner (spinner.ts) as busy as they were
     * during the shipping-on run (`duty` cores: on CPU 1 when pinned).
     */
    const loadedOffRun = async (job: FioJob & { runtime: number }, duty: number): Promise<FioResult> => {
      const n = Math.max(1, Math.ceil(duty - 0.05));
      const spinners = Array.from({ length: n }, () => {
        const [cmd, args] = remoteCommand([join(packageRoot(), 'dist/bench/ship/spinner.js'), (Math.min(duty, n) / n).toFixed(3)]);
        return PIN ? spawn('taskset', ['-c', '1', cmd, ...args], { stdio: ['pipe', 'ignore', 'inherit'] }) : spawn(cmd, args, { stdio: ['pipe', 'ignore', 'inherit'] });
      });
      try {
        await sleep(200);
        return await offRun(job, 'off, loaded');
      } finally {
        for (const s of spinners) s.stdin!.end();
        await Promise.all(spinners.map((s) => (s.exitCode !== null ? null : new Promise((r) => s.once('exit', r)))));
      }
    };
    const shipRun = async (job: FioJob & { runtime: number }, into: { rp: number[]; cpu: Cpu; bytes: number; during: number; drainS: number[]; remoteDuty: number[] }): Promise<FioResult> => {
      // The log before the run was dropped unshipped: the archive counts as holding it.
      const floor = await skipToNow();
      const c0 = stages();
      const b0 = shippedBytes;
      shipping = true;
      const loop = shipLoop();
      const rss = setInterval(() => (peakAnon = Math.max(peakAnon, statusMiB(pxHost.child.pid!, 'RssAnon'))), 250);
      let sampling = true;
      onSample = (t, g) => {
        // Until the run's first batch lands the archive holds none of its writes: the recovery point
        // grows from the run's start.
        const rp = recoveryPoint(t, Math.max(endOf.get(g) ?? 0, floor));
        if (sampling && rp !== null) into.rp.push(rp);
        if (TRACE) console.log(`    ${new Date(t).toISOString().slice(11, 23)} archive holds gid ${g}: recovery point ${rp === null ? '-' : rp.toFixed(2)} s${shipper.state.lastError ? `; shipping: ${shipper.state.lastError}` : ''}`);
      };
      const r0 = remoteCpu();
      const t0Run = Date.now();
      const on = await statRun(`${statKey}|${job.rateIops || job.rateMiB ? 'on, held' : 'on, full speed'}`, () => runFioAsync(job, w.device, { runtimeSec: job.runtime, sizeBytes: SIZE, ...(PIN ? { cpus: '0' } : {}) }));
      into.remoteDuty.push((remoteCpu() - r0) / Math.max(0.001, (Date.now() - t0Run) / 1000));
      sampling = false;
      into.during += shippedBytes - b0;
      // Shipping goes on until the archive holds every write of the run (at most DRAIN_MS): the
      // catch-up after the run is the backlog it left, and the next run's recovery point is its own.
      const endWritten = (await syncLog(p, vol)).permanentLsid;
      const t0 = Date.now();
      while (Date.now() - t0 < DRAIN_MS && (endOf.get(sampledGid) ?? 0) < endWritten) await sleep(50);
      // A catch-up the wait ended before it finished is printed as more than the wait.
      into.drainS.push(((endOf.get(sampledGid) ?? 0) < endWritten ? -1 : 1) * ((Date.now() - t0) / 1000));
      shipping = false;
      await loop;
      clearInterval(rss);
      onSample = null;
      const c1 = stages();
      for (const k of Object.keys(c1) as (keyof Cpu)[]) into.cpu[k] += c1[k] - c0[k];
      into.cpu.extract -= on.cpuSec;
      into.bytes += shippedBytes - b0;
      return on;
    };
    type Phase = { rp: number[]; cpu: Cpu; bytes: number; during: number; runs: FioResult[]; drainS: number[]; remoteDuty: number[] };
    const rows: { job: string; placement: Placement | null; metric: 'iops' | 'mibPerSec'; off: FioResult[]; loadedOff: FioResult[]; offServer: number; full: Phase; kept: Phase & { target: number[] } }[] = [];
    for (const job of JOBS.filter((j) => !process.env.BENCH_SHIP_JOBS || process.env.BENCH_SHIP_JOBS.split(',').includes(j.name))) {
      const jobRows = (PIN ? PLACEMENTS : [null]).map((placement) => ({ job: job.name, placement, metric: job.metric, off: [] as FioResult[], loadedOff: [] as FioResult[], offServer: 0, full: { rp: [], cpu: zero(), bytes: 0, during: 0, runs: [], drainS: [], remoteDuty: [] } as Phase, kept: { rp: [], cpu: zero(), bytes: 0, during: 0, runs: [], drainS: [], remoteDuty: [], target: [] } as Phase & { target: number[] } }));
      for (let round = 0; round < ROUNDS; round++) for (const row of jobRows) {
        if (row.placement) place(row.placement);
        statKey = `${job.name}${row.placement ? ` (${row.placement})` : ''}`;
        await drop();
        // off: the log only fills; nothing reads it.
        const s0 = procCpu(server.pid);
        const off = await offRun(job);
        row.off.push(off);
        row.offServer += procCpu(server.pid) - s0;
        // on, at full speed: the writer against the shipping (the recovery point is the backlog).
        const lsid0 = (await syncLog(p, vol)).permanentLsid;
        const during0 = row.full.during;
        const full = await shipRun(job, row.full);
        row.full.runs.push(full);
        // off again, with the other hosts' load of that run on this machine.
        await drop();
        const loaded = await loadedOffRun(job, row.full.remoteDuty.at(-1)!);
        row.loadedOff.push(loaded);
        // on, "while the disk keeps up": the writer held at RATE of this round's off throughput, and
        // at most RATE of what the shipping carried at full speed while fio ran (log bytes per write
        // from this run).
        const logPerOp = (((await syncLog(p, vol)).permanentLsid - lsid0) * cfg.pbs) / Math.max(1, full.iops * job.runtime);
        const shipOps = (row.full.during - during0) / job.runtime / Math.max(1, logPerOp);
        const ops = Math.min(off.iops, shipOps) * RATE;
        const target = Math.max(1, Math.round(job.metric === 'iops' ? ops : (ops * full.mibPerSec) / Math.max(1, full.iops)));
        row.kept.target.push(target);
        const kept = await shipRun({ ...job, ...(job.metric === 'iops' ? { rateIops: target } : { rateMiB: target }) }, row.kept);
        row.kept.runs.push(kept);
        const unit = job.metric === 'iops' ? 'IOPS' : 'MiB/s';
        console.log(`  ${job.name}${row.placement ? ` (${row.placement})` : ''} round ${round + 1}: off ${off[job.metric].toFixed(1)}, on ${full[job.metric].toFixed(1)}, off with the other hosts' load (${row.full.remoteDuty.at(-1)!.toFixed(2)} of a core) ${loaded[job.metric].toFixed(1)} ${unit}; held at ${target}: ${kept[job.metric].toFixed(1)} ${unit}; the archive held every write ${drainText(row.full.drainS.at(-1)!)} / ${drainText(row.kept.drainS.at(-1)!)} after fio ended; ${shipped} batches, ${(shippedBytes / 2 ** 20).toFixed(0)} MiB shipped so far; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
      }
      rows.push(...jobRows);
    }
    const label = (r: (typeof rows)[number]) => (r.placement ? `${r.job} (${r.placement})` : r.job);
    const pxRss = statusMiB(pxHost.child.pid!, 'VmHWM');
    const own = process.cpuUsage();
    console.log(`CPU (user+sys) over the whole run: proxy ${procCpu(pxHost.child.pid!).toFixed(1)} s, archive ${procCpu(arHost.child.pid!).toFixed(1)} s, this process ${((own.user + own.system) / 1e6).toFixed(1)} s, wdev server ${procCpu(server.pid).toFixed(1)} s; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    console.log('\nCPU s per GB shipped, during the shipping-on runs (the storage host pays the loop + wire and the extract; the proxy and the archive are other hosts in production):');
    console.log('| job | phase | GB shipped | storage loop + wire | wdev extract | storage total | wdev server s (on / off run) | proxy | archive |\n|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      for (const [name, ph] of [['full speed', r.full], ['held', r.kept]] as const) {
        const gb = ph.bytes / 1e9;
        const per = (x: number) => (gb > 0 ? (x / gb).toFixed(1) : '-');
        console.log(`| ${label(r)} | ${name} | ${gb.toFixed(2)} | ${per(ph.cpu.storage)} | ${per(ph.cpu.extract)} | ${per(ph.cpu.storage + ph.cpu.extract)} | ${ph.cpu.server.toFixed(1)} / ${r.offServer.toFixed(1)} | ${per(ph.cpu.proxy)} | ${per(ph.cpu.archive)} |`);
      }
    }
    const samples = rows.reduce((t, r) => t + r.full.rp.length + r.kept.rp.length, 0);
    console.log(`(the recovery-point sampler is a process of its own${PIN ? ', on CPU 1' : ''}: ${procCpu(sampler.pid!).toFixed(1)} CPU-s in all, ${samples} samples while shipping; not in the storage column)`);
    const rpText = (xs: number[]) => (xs.length ? `${percentile(xs, 50).toFixed(2)} / ${percentile(xs, 99).toFixed(2)} / ${Math.max(...xs).toFixed(2)} s` : '- (no sample)');
    console.log(`\nthe proxy's and the archive's data: ${REMOTE_DIR ? `${remote} (BENCH_SHIP_REMOTE_DIR: not the writer's disk)` : `${remote}, the writer's disk`}`);
    if (REMOTE_NICE) console.log(`the proxy, the archive and the sampler run at nice ${REMOTE_NICE} (BENCH_SHIP_REMOTE_NICE: other hosts, yielding this machine's cores to the storage host)`);
    console.log(`CPU placement: ${PIN ? `pinned (BENCH_SHIP_PIN=${PLACEMENTS.join(',')}): fio and the wdev server on CPU 0, the proxy, the archive and the sampler on CPU 1; the storage's shipping ${PLACEMENTS.map((pl) => (pl === 'shared' ? 'on CPU 0 (shared: the writer\'s core)' : 'on CPU 1 (spare: a core the writer does not use)')).join(' / ')}${PLACEMENTS.length > 1 ? ', alternating in each round' : ''}` : 'not pinned: every process on both cores'}`);
    console.log('| job | shipping off | on, full speed | writer cost | off, the other hosts\' load on this machine | writer cost against it (the storage host\'s own) | recovery point p50 / p99 / max (full speed: the backlog) | catch-up after the run, max | held at a rate | achieved | recovery point p50 / p99 / max (disk keeps up) | samples (full / held) |\n|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const med = (xs: FioResult[]) => median(xs.map((x) => x[r.metric]));
      const [off, on, kept] = [med(r.off), med(r.full.runs), med(r.kept.runs)];
      const unit = r.metric === 'iops' ? 'IOPS' : 'MiB/s';
      // Each round's shipping-on run against its own shipping-off run (the two ran back to back).
      const perRound = r.off.map((o, i) => ((o[r.metric] - r.full.runs[i]![r.metric]) / o[r.metric]) * 100);
      const rounds = `rounds ${perRound.map((x) => x.toFixed(1)).join(', ')}; median ${median(perRound).toFixed(1)} %`;
      const loaded = median(r.loadedOff.map((x) => x[r.metric]));
      const perRoundLoaded = r.loadedOff.map((o, i) => ((o[r.metric] - r.full.runs[i]![r.metric]) / o[r.metric]) * 100);
      const duty = `${Math.min(...r.full.remoteDuty).toFixed(2)}-${Math.max(...r.full.remoteDuty).toFixed(2)} of a core`;
      const roundsLoaded = `rounds ${perRoundLoaded.map((x) => x.toFixed(1)).join(', ')}; median ${median(perRoundLoaded).toFixed(1)} %`;
      console.log(`| ${label(r)} | ${off.toFixed(0)} ${unit} | ${on.toFixed(0)} ${unit} | ${(((off - on) / off) * 100).toFixed(1)} % (${rounds}) | ${loaded.toFixed(0)} ${unit} (${duty}) | ${(((loaded - on) / loaded) * 100).toFixed(1)} % (${roundsLoaded}) | ${rpText(r.full.rp)} | ${drainText(drainMax(r.full.drainS))} | ${percentile(r.kept.target, 50)} ${unit} | ${kept.toFixed(0)} ${unit} | ${rpText(r.kept.rp)} | ${r.full.rp.length} / ${r.kept.rp.length} |`);
    }
    console.log('\neach CPU while fio ran (/proc/stat, % of its time: user / system / softirq / iowait / idle):');
    const nCpus = [...cpuStat.values()][0]?.length ?? 0;
    console.log(`| job | run | ${Array.from({ length: nCpus }, (_, i) => `CPU ${i}`).join(' | ')} |\n|---|---|${'---|'.repeat(nCpus)}`);
    for (const [key, acc] of cpuStat) {
      const [job, kind] = key.split('|');
      const pct = (c: number[]) => {
        const total = c.reduce((s, v) => s + v, 0) || 1;
        const f = (v: number) => ((v / total) * 100).toFixed(0);
        return `${f(c[0]! + c[1]!)} / ${f(c[2]!)} / ${f(c[6]! + c[5]!)} / ${f(c[4]!)} / ${f(c[3]!)}`;
      };
      console.log(`| ${job} | ${kind} | ${acc.map(pct).join(' | ')} |`);
    }
    if (overflows) console.log(`${overflows} shipping run(s) overflowed the ${RING / 2 ** 30} GiB ring`);
    console.log(`between the shipping runs the archive's diffs were applied to its base: ${applied.diffs} diffs, ${(applied.bytes / 2 ** 30).toFixed(2)} GiB, ${applied.seconds.toFixed(1)} s (not measured)`);
    console.log(`storage -> proxy: ${(wire.wire / 2 ** 20).toFixed(0)} MiB on the wire for ${(wire.sent / 2 ** 20).toFixed(0)} MiB of log (${((wire.wire / Math.max(1, wire.sent)) * 100).toFixed(0)} %: lz4 where it paid, zeros as nothing)`);
    console.log(`proxy peak RSS (VmHWM): ${pxRss.toFixed(0)} MiB (anonymous at most ${peakAnon.toFixed(0)} MiB in the 250 ms samples); ${shipped} batches, ${(shippedBytes / 2 ** 20).toFixed(0)} MiB shipped`);
  } finally {
    // SIGTERM first (a host run with --cpu-prof writes its profile on exit), SIGKILL after 5 s.
    await Promise.all(hosts.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => (clearTimeout(t), resolve()));
      c.kill('SIGTERM');
    })));
    await detachWdev(dataDir, vol).catch(() => {});
    await stopWdev(dataDir, vol, { force: true }).catch(() => {});
    rmSync(root, { recursive: true, force: true });
    if (remote !== root) rmSync(remote, { recursive: true, force: true });
  }
}

await main();
