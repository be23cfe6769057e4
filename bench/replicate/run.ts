/**
 * npm run bench:replicate — archive → archive replication between two processes over loopback TLS
 * 1.3 (the receiver a wire server, the sender a replicating archive; frames checksummed, checkpoints
 * fsynced, every file installed and registered before it is acknowledged), against — in the same
 * run, alternating — `cat … | zstd -1 | socat - TCP:…` into `socat TCP-LISTEN:… - | zstd -d > file`
 * moving the same bytes:
 *  - full: the source's base image (half compressible, half random) to an empty target;
 *  - diff: the source's diffs after the target's gid (each snapshot rewrote an eighth of the volume).
 *  - outage (outage.ts): the target stopped for BENCH_REPL_OUTAGE seconds (default 600, 0 skips it)
 *    while the volume takes BENCH_REPL_OUTAGE_RATE bytes/s (default 2 MiB) and a snapshot every
 *    BENCH_REPL_OUTAGE_EVERY seconds (default 30); the lag at its restart and the time to catch up.
 * The pipeline's output is fsynced after it ends, timed apart: each pipeline row also prints its
 * durable time (the same work walbctl's receiver does before it acknowledges), and the end prints
 * walbctl ÷ pipeline throughput by round, as run and durable, with the min and median.
 * BENCH_REPL_BUFFERED=1 adds, in each round, a receiver that writes buffered (WALBCTL_NO_DIRECT_IO=1)
 * instead of O_DIRECT: the A/B of the receiver's direct writes.
 * BENCH_REPL_VOLUME (bytes, default 2 GiB), BENCH_REPL_SNAPSHOTS (default 8), BENCH_REPL_ROUNDS
 * (alternating pairs, default 2), BENCH_REPL_PHASES (full,diff by default; `full` or `diff` runs one), BENCH_REPL_SERIAL=1 (each round also replicates the diffs one at a
 * time, as before pipelining), BENCH_DIR, BENCH_REPL_PROF (a directory: the sender writes V8 CPU
 * profiles there; WALBCTL_PEER_NODE_ARGS gives the receiver's flags). CPU seconds (user+sys) of both ends are printed beside the wall time: under
 * a shared machine's load they are the meaningful figure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { archivePaths } from '../../native/lib/archive/layout.js';
import { initArchiveVolume } from '../../native/lib/archive/lifecycle.js';
import { listDiffs } from '../../native/lib/archive/query.js';
import { fullBackup } from '../../native/lib/storage/backup.js';
import { initVolume } from '../../native/lib/storage/lifecycle.js';
import { snapshot } from '../../native/lib/storage/snapshot.js';
import { initCa, issueHost } from '../../native/lib/wire/pki/openssl.js';
import { outagePhase } from './outage.js';
import { address, cpuOfPid, faultsOfPid, runSender, serveTarget, type Tls } from './peers.js';

const size = Number(process.env.BENCH_REPL_VOLUME ?? 2 ** 31);
const snapshots = Number(process.env.BENCH_REPL_SNAPSHOTS ?? 8);
const rounds = Number(process.env.BENCH_REPL_ROUNDS ?? 2);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'walbctl-bench-repl-'));
const MiB = 2 ** 20;
const MB = 1e6;
const outage = Number(process.env.BENCH_REPL_OUTAGE ?? 600);
/** BENCH_REPL_PHASES: which of full and diff run (default both; the outage follows BENCH_REPL_OUTAGE). */
const phases = new Set((process.env.BENCH_REPL_PHASES ?? 'full,diff').split(','));
/** BENCH_REPL_BUFFERED=1: each round also replicates to a receiver that writes buffered (WALBCTL_NO_DIRECT_IO=1). */
const buffered = process.env.BENCH_REPL_BUFFERED === '1';

function sha1File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha1');
    createReadStream(path, { highWaterMark: 4 * MiB }).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

/** Writes [from, to) of `path`: the first half of the volume compressible, the second random. */
function fill(path: string, from: number, to: number): void {
  const fd = openSync(path, from === 0 && to === size ? 'w' : 'r+');
  const dict = randomBytes(64 * 1024);
  const chunk = Buffer.alloc(4 * MiB);
  for (let off = from; off < to; off += chunk.length) {
    const n = Math.min(chunk.length, to - off);
    if (off < size / 2) {
      for (let i = 0; i < n; i += 256) {
        const at = Math.floor(Math.random() * (dict.length - 256));
        dict.copy(chunk, i, at, at + 256);
      }
      writeSync(fd, chunk, 0, n, off);
    } else writeSync(fd, randomBytes(n), 0, n, off);
  }
  closeSync(fd);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, address, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The thin pipeline, moving `files` (concatenated) to one output file; seconds, and apart from them
 * the fsync of its output (`syncSeconds`): walbctl's receiver fsyncs every checkpoint and file before
 * it acknowledges, so the pipeline's time plus that fsync is the same work made durable.
 */
async function pipeline(files: string[], out: string): Promise<{ seconds: number; cpu: number; syncSeconds: number }> {
  const port = await freePort();
  // bash's `times` prints its children's user and sys time: the CPU the pipeline's tools used.
  const timed = (cmd: string) => spawn('bash', ['-c', `${cmd}; times`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const cpuOf = (p: ReturnType<typeof timed>): Promise<number> =>
    new Promise((resolve) => {
      let text = '';
      p.stdout.on('data', (d: Buffer) => void (text += d.toString()));
      p.on('exit', () => {
        const line = text.trim().split('\n').at(-1) ?? '';
        resolve([...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce((n, m) => n + Number(m[1]) * 60 + Number(m[2]), 0));
      });
    });
  const recv = timed(`socat -u TCP-LISTEN:${port},bind=${address},reuseaddr - | zstd -q -d > ${out}`);
  const recvCpu = cpuOf(recv);
  await new Promise((r) => setTimeout(r, 300));
  const t0 = process.hrtime.bigint();
  const send = timed(`cat ${files.join(' ')} | zstd -q -1 | socat -u - TCP:${address}:${port}`);
  const cpus = await Promise.all([cpuOf(send), recvCpu]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const t1 = process.hrtime.bigint();
  const fd = openSync(out, 'r');
  fsyncSync(fd);
  closeSync(fd);
  const syncSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  rmSync(out, { force: true });
  return { seconds, cpu: cpus[0] + cpus[1], syncSeconds };
}

/** One replication from `source` to a receiver process serving `target`; seconds and the sender's result. */
async function replicate(source: string, target: string, tls: Tls, extra: object = {}, buffered = false): Promise<{ seconds: number; cpu: number; sender: number; receiver: number; faults: string; result: Record<string, unknown> }> {
  // The receiver inherits this process's environment: WALBCTL_NO_DIRECT_IO=1 makes it write buffered.
  if (buffered) process.env.WALBCTL_NO_DIRECT_IO = '1';
  const t = await serveTarget(target, tls).finally(() => {
    if (buffered) delete process.env.WALBCTL_NO_DIRECT_IO;
  });
  const serverCpu0 = cpuOfPid(t.server.child.pid);
  const faults0 = faultsOfPid(t.server.child.pid);
  const { code, seconds, result } = await runSender(source, t.port, tls, extra);
  const serverCpu = cpuOfPid(t.server.child.pid) - serverCpu0;
  const receiverFaults = faultsOfPid(t.server.child.pid) - faults0;
  await t.stop();
  if (code !== 0) throw new Error(`replication failed: ${JSON.stringify(result)}`);
  return { seconds, cpu: Number(result.cpuSeconds) + serverCpu, sender: Number(result.cpuSeconds), receiver: serverCpu, faults: `${((Number(result.minorFaults) / 1000) | 0)}k/${((receiverFaults / 1000) | 0)}k`, result };
}

async function main(): Promise<void> {
  for (const tool of ['socat', 'zstd']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`bench:replicate needs ${tool} (scripts/setup.sh installs it)`);
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1];
  console.log(`bench:replicate — ${new Date().toISOString()}, ${cpu}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}, volume ${size / MiB} MiB, ${snapshots} snapshots of diffs, ${rounds} alternating round(s)`);
  const pki = join(dir, 'pki');
  await initCa(pki);
  for (const h of ['ar-1', 'ar-2']) await issueHost(pki, h);
  const tls: Tls = (h: string) => ({ tls: { ca: join(pki, 'ca.crt'), cert: join(pki, `${h}.crt`), key: join(pki, `${h}.key`) } });
  const vol = join(dir, 'vol.img');
  const db = join(dir, 'db-1');
  const source = join(dir, 'ar-1');
  fill(vol, 0, size);
  await initVolume(db, 'v', { devicePath: vol, sizeBytes: size, bulkSize: 1 * MiB });
  await initArchiveVolume(source, 'v');
  await fullBackup(db, 'v', { archiveDataDir: source });
  // A full backup's snapshot is dirty (|0,1|): the first clean one, which replication sends, comes next.
  await snapshot(db, 'v', { archiveDataDir: source });
  const empty = join(dir, 'tpl-empty');
  await initArchiveVolume(empty, 'v');
  const rows: string[] = [];
  /** Per phase: walbctl's seconds, the pipeline's as run and made durable (for the ratios at the end). */
  const times: Record<string, { wire: number[]; pipe: number[]; durable: number[] }> = {};
  const timesOf = (phase: string) => (times[phase] ??= { wire: [], pipe: [], durable: [] });
  const row = (what: string, x: { seconds: number; cpu: number; syncSeconds?: number }, bytes: number, extra = ''): void => {
    const { seconds, cpu } = x;
    const t = timesOf(what.split(' ')[0]!);
    if (x.syncSeconds === undefined) {
      if (what.includes('(TLS)')) t.wire.push(seconds);
    } else {
      t.pipe.push(seconds);
      t.durable.push(seconds + x.syncSeconds);
      extra += `  + fsync ${x.syncSeconds.toFixed(2)} s = ${(seconds + x.syncSeconds).toFixed(2)} s durable (${((bytes / MB) / (seconds + x.syncSeconds)).toFixed(0)} MB/s)`;
    }
    rows.push(`${what.padEnd(22)} ${seconds.toFixed(2).padStart(7)} s ${((bytes / MB) / seconds).toFixed(0).padStart(5)} MB/s  cpu ${cpu.toFixed(1)} s (${(cpu / (bytes / 1e9)).toFixed(1)} s/GB)  load ${loadavg()[0]!.toFixed(1)}${extra}`);
    console.log(rows.at(-1));
  };

  /** walbctl ÷ pipeline throughput (their times inverted), round by round, as run and durable. */
  const printRatios = (): void => {
    for (const [phase, t] of Object.entries(times)) {
      if (t.wire.length === 0 || t.pipe.length === 0) continue;
      const ratios = (pipe: number[]) => t.wire.map((w, i) => (pipe[i] ?? NaN) / w);
      const show = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return `${xs.map((x) => x.toFixed(2)).join(' / ')} (min ${s[0]!.toFixed(2)}, median ${((s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2).toFixed(2)})`;
      };
      console.log(`${phase.padEnd(5)} walbctl ÷ socat+zstd throughput by round: as run ${show(ratios(t.pipe))}; durable (the pipeline's output fsynced) ${show(ratios(t.durable))}`);
    }
  };

  // Full: the base image to an empty target.
  const base = vol;
  const want = await sha1File(vol);
  let atBase = '';
  for (let r = 0; r < rounds; r++) {
    // Without the full phase, one replication still makes the target the diff phase starts from.
    const fullKinds = phases.has('full') ? (buffered ? ['wire', 'buffered', 'pipeline'] : ['wire', 'pipeline']) : r === 0 ? ['wire'] : [];
    for (const which of r % 2 === 0 ? fullKinds : [...fullKinds].reverse()) {
      if (which === 'pipeline') row('full  socat+zstd', await pipeline([base], join(dir, 'out.img')), size);
      else {
        const target = join(dir, `t-full-${r}-${which}`);
        await cp(empty, target, { recursive: true });
        const x = await replicate(source, target, tls, {}, which === 'buffered');
        const ok = (await sha1File(archivePaths(target, 'v').base)) === want ? 'sha1 ok' : 'SHA1 MISMATCH';
        if (phases.has('full')) row(which === 'buffered' ? 'full  walbctl buffered' : 'full  walbctl (TLS)', x, size, `  ${ok}, ${(Number(x.result.wireBytes) / MB).toFixed(0)} MB on the wire, cpu sender ${x.sender.toFixed(1)} s receiver ${x.receiver.toFixed(1)} s, page faults ${x.faults}`);
        if (atBase) rmSync(target, { recursive: true, force: true });
        else atBase = target;
      }
    }
  }

  // Diff: snapshots that each rewrite an eighth of the volume, sent to the target left at the base.
  if (!phases.has('diff') && outage === 0) {
    printRatios();
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  for (let k = 0; k < snapshots; k++) {
    const from = Math.floor(((k % 8) * size) / 8 / MiB) * MiB;
    fill(vol, from, Math.min(size, from + size / 8));
    await snapshot(db, 'v', { archiveDataDir: source });
  }
  const diffFiles = (await listDiffs(source, 'v')).map((d) => join(archivePaths(source, 'v').dir, d.file));
  const diffBytes = diffFiles.reduce((n, f) => n + statSync(f).size, 0);
  console.log(`diffs: ${diffFiles.length} files, ${(diffBytes / MiB).toFixed(0)} MiB`);
  // BENCH_REPL_SERIAL=1 adds the same replication with one diff at a time (no pipelining) to each round.
  const kinds = [...(process.env.BENCH_REPL_SERIAL === '1' ? ['wire', 'serial'] : ['wire']), ...(buffered ? ['buffered'] : []), 'pipeline'];
  if (outage > 0) await cp(atBase, join(dir, 't-outage'), { recursive: true });
  for (let r = 0; r < (phases.has('diff') ? rounds : 0); r++) {
    for (const which of r % 2 === 0 ? kinds : [...kinds].reverse()) {
      if (which === 'pipeline') row('diff  socat+zstd', await pipeline(diffFiles, join(dir, 'out.diffs')), diffBytes);
      else {
        const target = join(dir, `t-diff-${r}-${which}`);
        await cp(atBase, target, { recursive: true });
        const x = await replicate(source, target, tls, which === 'serial' ? { pipeline: 1 } : {}, which === 'buffered');
        row(which === 'serial' ? 'diff  walbctl 1-by-1' : which === 'buffered' ? 'diff  walbctl buffered' : 'diff  walbctl (TLS)', x, diffBytes, `  ${x.result.kind}, ${x.result.sent} diffs, ${(Number(x.result.wireBytes) / MB).toFixed(0)} MB on the wire, cpu sender ${x.sender.toFixed(1)} s receiver ${x.receiver.toFixed(1)} s, page faults ${x.faults}`);
        rmSync(target, { recursive: true, force: true });
      }
    }
  }

  printRatios();

  if (outage > 0) {
    let at = 0;
    await outagePhase({
      source, target: join(dir, 't-outage'), tls, seconds: outage,
      every: Number(process.env.BENCH_REPL_OUTAGE_EVERY ?? 30),
      rate: Number(process.env.BENCH_REPL_OUTAGE_RATE ?? 2 * MiB),
      writeAndSnapshot: async (bytes) => {
        // A moving window of the volume, MiB-aligned, wrapping at its end.
        const n = Math.min(size, Math.ceil(bytes / MiB) * MiB);
        if (at + n > size) at = 0;
        fill(vol, at, at + n);
        at += n;
        await snapshot(db, 'v', { archiveDataDir: source });
      },
      log: (line) => console.log(line),
    }).catch((e: Error) => console.log(`outage: failed: ${e.message}`));
  }
  rmSync(dir, { recursive: true, force: true });
}

void main().catch((e) => {
  console.error(e);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
