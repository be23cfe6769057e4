/**
 * npm run bench:wire — a full backup of a 2 GiB volume (half compressible, half random) from a
 * storage process to an archive process over loopback TLS 1.3 (frames checksummed, checkpoints
 * fsynced, the base renamed into place and registered), sha1-checked, against — in the same run,
 * alternating — the pipeline WalB's thin send/recv documentation uses:
 *   `cat vol | zstd -1 | socat - TCP:…` into `socat TCP-LISTEN:… - | zstd -d > file`.
 * The wire runs three times per round: offering zstd, lz4 (frames compressed when it saves 5 %)
 * and raw.
 * The pipeline's output is then fsynced (`sync FILE`) and timed apart: the wire's figure includes
 * making the data durable, the pipeline's does not. Peak RSS and CPU time (user+sys) of each end, and the 1-minute load average beside every figure:
 * on a shared machine wall time is noisy, CPU seconds per GB much less so. Then a hash backup after
 * 1 % of the volume changed: bytes on the wire and time, against a full backup through the
 * storage's own operations.
 * BENCH_VOLUME (bytes), BENCH_DIR, BENCH_WIRE_ROUNDS (alternating pairs, default 2).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { archivePaths } from '../../native/lib/archive/layout.js';
import { initArchiveVolume, resetArchive, stopArchive } from '../../native/lib/archive/lifecycle.js';
import { initVolume } from '../../native/lib/storage/lifecycle.js';
import { initCa, issueHost } from '../../native/lib/wire/pki/openssl.js';
import { spawnPeer } from '../../native/lib/wire/testing/spawn-peer.js';

const size = Number(process.env.BENCH_VOLUME ?? 2 ** 31);
const rounds = Number(process.env.BENCH_WIRE_ROUNDS ?? 2);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'walbctl-bench-wire-'));
const MiB = 2 ** 20;
const MB = 1e6;
const address = '127.0.0.12';

function sha1File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha1');
    createReadStream(path, { highWaterMark: 4 * MiB })
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** First half: slices of a 64 KiB random dictionary (LZ-compressible); second half: random. */
function makeVolume(path: string): void {
  const fd = openSync(path, 'w');
  const dict = randomBytes(64 * 1024);
  const chunk = Buffer.alloc(4 * MiB);
  for (let off = 0; off < size; off += chunk.length) {
    if (off < size / 2) {
      for (let i = 0; i < chunk.length; i += 256) {
        const at = Math.floor(Math.random() * (dict.length - 256));
        dict.copy(chunk, i, at, at + 256);
      }
      writeSync(fd, chunk, 0, Math.min(chunk.length, size - off), off);
    } else {
      writeSync(fd, randomBytes(Math.min(chunk.length, size - off)), 0, Math.min(chunk.length, size - off), off);
    }
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

function vmHwmKiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Peak RSS of a process tree's members, polled (for the pipeline's shells). */
function pollPeak(pids: () => number[], peaks: Map<string, number>): NodeJS.Timeout {
  return setInterval(() => {
    for (const pid of pids()) {
      try {
        const st = readFileSync(`/proc/${pid}/status`, 'utf8');
        const name = /Name:\s+(\S+)/.exec(st)?.[1] ?? String(pid);
        const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(st)?.[1] ?? 0);
        peaks.set(name, Math.max(peaks.get(name) ?? 0, hwm));
      } catch {
        // gone
      }
    }
  }, 50);
}

function children(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  const kids = r.stdout.split('\n').filter(Boolean).map(Number);
  return [pid, ...kids.flatMap((k) => children(k))];
}

interface Run {
  seconds: number;
  sha1: string;
  rss: Record<string, number>;
  /** CPU seconds (user+sys) of each end. */
  cpu: Record<string, number>;
  /** The pipeline only: seconds a `sync FILE` (fsync) of its output took after it finished. */
  syncSeconds?: number;
  wireBytes?: number;
}

/** CPU seconds (user+sys, every thread) a live process has used. */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** A shell command that, once done, writes its children's CPU seconds (cutime+cstime) to `file`. */
function withChildCpu(cmd: string, file: string): string {
  return `${cmd}; cut -d' ' -f16,17 /proc/$$/stat > ${file}`;
}

function childCpu(file: string): number {
  const [u, s] = readFileSync(file, 'utf8').trim().split(' ').map(Number);
  return (u! + s!) / 100;
}

async function pipeline(vol: string, out: string): Promise<Run> {
  const port = await freePort();
  const peaks = new Map<string, number>();
  const cpuFiles = { send: join(dir, 'cpu-send'), recv: join(dir, 'cpu-recv') };
  const recv = spawn('sh', ['-c', withChildCpu(`socat -u TCP-LISTEN:${port},bind=${address},reuseaddr - | zstd -q -d > ${out}`, cpuFiles.recv)], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 300));
  const t0 = process.hrtime.bigint();
  const send = spawn('sh', ['-c', withChildCpu(`cat ${vol} | zstd -q -1 | socat -u - TCP:${address}:${port}`, cpuFiles.send)], { stdio: 'inherit' });
  const timer = pollPeak(() => [...children(recv.pid!), ...children(send.pid!)], peaks);
  await Promise.all([new Promise((r) => send.on('exit', r)), new Promise((r) => recv.on('exit', r))]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  // The wire's receiver fsyncs what it wrote; the pipeline leaves it in the page cache. What making
  // the pipeline's output durable would add: one fsync of it, timed.
  const t1 = process.hrtime.bigint();
  spawnSync('sync', [out]);
  const syncSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  return { seconds, syncSeconds, sha1: await sha1File(out), rss: Object.fromEntries(peaks), cpu: { sender: childCpu(cpuFiles.send), receiver: childCpu(cpuFiles.recv) } };
}

async function wire(vol: string, pki: string, arData: string, codecs: string[]): Promise<Run> {
  const tls = (h: string) => ({ ca: join(pki, 'ca.crt'), cert: join(pki, `${h}.crt`), key: join(pki, `${h}.key`) });
  await stopArchive(arData, 'bench').catch(() => {});
  await resetArchive(arData, 'bench').catch(() => {});
  const server = spawnPeer({ role: 'serve', host: 'ar-1', address, dataDir: arData, tls: tls('ar-1') });
  const port = Number((await server.first).port);
  const serverCpu0 = cpuOf(server.child.pid!);
  const t0 = process.hrtime.bigint();
  const sender = spawnPeer({
    role: 'send-full',
    host: 'db-1',
    peer: { host: 'ar-1', address, port },
    tls: tls('db-1'),
    codecs,
    send: { volume: 'bench', source: vol, sizeBytes: size, uuid: 'ab'.repeat(16), snap: { b: 0, e: 1 }, id: randomBytes(8).toString('hex'), timestamp: new Date().toISOString() },
  });
  await sender.first; // "sending"
  const code = await sender.exited;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) throw new Error(`the wire sender failed (${code})`);
  const serverRss = vmHwmKiB(server.child.pid!);
  const serverCpu = cpuOf(server.child.pid!) - serverCpu0;
  server.child.kill('SIGTERM');
  await server.exited;
  const res = sender.lines().at(-1)!;
  return {
    seconds,
    sha1: await sha1File(archivePaths(arData, 'bench').base),
    rss: { 'wire sender': Number(res.maxRssKiB), 'wire receiver': serverRss },
    cpu: { sender: Number(res.cpuSeconds), receiver: serverCpu },
    wireBytes: Number(res.wireBytes),
  };
}

/** A full backup, then a hash backup after 1 % changed, through the storage's own operations. */
async function fullThenHash(vol: string, pki: string): Promise<string[]> {
  const tls = (h: string) => ({ ca: join(pki, 'ca.crt'), cert: join(pki, `${h}.crt`), key: join(pki, `${h}.key`) });
  const arData = join(dir, 'ar-2');
  const stData = join(dir, 'db-1');
  await initArchiveVolume(arData, 'v');
  await initVolume(stData, 'v', { devicePath: vol });
  const server = spawnPeer({ role: 'serve', host: 'ar-1', address, dataDir: arData, tls: tls('ar-1') });
  const peer = { host: 'ar-1', address, port: Number((await server.first).port) };
  const run = async (op: string) => {
    const t0 = process.hrtime.bigint();
    const p = spawnPeer({ role: 'storage', op, host: 'db-1', peer, tls: tls('db-1'), dataDir: stData, volume: 'v' });
    if ((await p.exited) !== 0) throw new Error(`${op} over the wire failed`);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const r = p.lines().at(-1) as { links: { bytesSent: number; bytesReceived: number }[]; maxRssKiB: number };
    const bytes = r.links.reduce((n, l) => n + l.bytesSent + l.bytesReceived, 0);
    return { seconds, bytes, rss: r.maxRssKiB };
  };
  const full = await run('full-backup');
  const fd = openSync(vol, 'r+');
  const pieces = Math.max(1, Math.round((size * 0.01) / MiB));
  for (let i = 0; i < pieces; i++) writeSync(fd, randomBytes(MiB), 0, MiB, Math.floor(Math.random() * (size / MiB)) * MiB);
  closeSync(fd);
  const hash = await run('hash-backup');
  const serverRss = vmHwmKiB(server.child.pid!);
  server.child.kill('SIGTERM');
  await server.exited;
  const line = (name: string, x: { seconds: number; bytes: number; rss: number }) =>
    `${name.padEnd(28)} ${x.seconds.toFixed(2).padStart(6)} s  ${(x.bytes / MB).toFixed(1).padStart(8)} MB on the wire  storage peak RSS ${(x.rss / 1024).toFixed(0)} MiB`;
  return [line('full backup (storage op)', full), line(`hash backup after ${pieces} MiB changed`, hash), `archive peak RSS ${(serverRss / 1024).toFixed(0)} MiB`];
}

async function main(): Promise<void> {
  for (const tool of ['socat', 'zstd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`bench:wire needs ${tool} (scripts/setup.sh installs it)`);
  }
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1];
  console.log(`bench:wire — ${new Date().toISOString()}, ${cpu}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}, volume ${size / MiB} MiB, ${rounds} alternating round(s)`);
  const vol = join(dir, 'vol.img');
  makeVolume(vol);
  const want = await sha1File(vol);
  const pki = join(dir, 'pki');
  await initCa(pki);
  await issueHost(pki, 'db-1');
  await issueHost(pki, 'ar-1');
  const arData = join(dir, 'ar-1');
  mkdirSync(arData, { recursive: true });
  await initArchiveVolume(arData, 'bench');
  const out = join(dir, 'pipeline.img');
  const rows: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = ['wire zstd', 'wire lz4', 'wire raw', 'pipeline'];
    for (const which of r % 2 === 0 ? order : [...order].reverse()) {
      const x = which === 'pipeline' ? await pipeline(vol, out) : await wire(vol, pki, arData, which === 'wire raw' ? ['none'] : [which.slice(5), 'none']);
      const ok = x.sha1 === want ? 'sha1 ok' : 'SHA1 MISMATCH';
      const gb = size / 1e9;
      const cpu = `CPU s/GB sender ${(x.cpu.sender! / gb).toFixed(2)} receiver ${(x.cpu.receiver! / gb).toFixed(2)}`;
      const durable = x.syncSeconds !== undefined ? `  (+ fsync ${x.syncSeconds.toFixed(2)} s: ${(size / MB / (x.seconds + x.syncSeconds)).toFixed(0)} MB/s durable)` : '';
      rows.push(`${which.padEnd(9)} ${x.seconds.toFixed(2).padStart(6)} s ${((size / MB) / x.seconds).toFixed(0).padStart(5)} MB/s${durable}  ${ok}  ${cpu}  load ${loadavg()[0]!.toFixed(1)}  peak RSS ${Object.entries(x.rss).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} MiB`).join(', ')}`);
      console.log(rows.at(-1));
      if (which === 'pipeline') rmSync(out, { force: true });
    }
  }
  for (const l of await fullThenHash(vol, pki)) console.log(l);
  rmSync(dir, { recursive: true, force: true });
}

void main().catch((e) => {
  console.error(e);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
