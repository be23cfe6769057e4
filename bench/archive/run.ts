/**
 * npm run bench:archive — the archive and scan storage on a 2 GiB volume with 25 % of it written
 * (random data, 1 MiB pieces at random places), each step timed as a whole `walbctl` process, with
 * `cp` of the same file in the same run as the baseline:
 *   full backup vs `cp --sparse=always`; a scan snapshot after 1 % changed (page-cached); restore of
 *   a gid 20 diffs after the base, plain (sparse copy) vs `cp --sparse=always` of the base, and with
 *   reflink on XFS (root only) vs `cp --reflink=always`; merge of 20 diffs; apply of 20 diffs.
 * BENCH_VOLUME (bytes) and BENCH_DIR override the size and the place; BENCH_PAIRS the number of
 * interleaved cp / full-backup pairs (3).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), import.meta.url.includes('/dist/') ? '../../..' : '../..');
const bin = join(root, 'bin/walbctl.js');
const size = Number(process.env.BENCH_VOLUME ?? 2 ** 31);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'walbctl-bench-archive-'));
const dataDir = join(dir, 'data');
const vol = 'bench';
const device = join(dir, 'vol.img');
const MiB = 2 ** 20;
const MB = 1e6;

interface Timed {
  seconds: number;
  out: string;
}

function time(cmd: string, args: string[]): Timed {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * MiB });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { seconds, out: r.stdout };
}

function walbctl(...args: string[]): Timed & { json: Record<string, unknown> } {
  const t = time(process.execPath, [bin, ...args, '--json']);
  return { ...t, json: JSON.parse(t.out) as Record<string, unknown> };
}

function writeRandom(path: string, pieces: number, pieceBytes: number, totalBytes: number): void {
  const fd = openSync(path, 'r+');
  const slots = Math.floor(totalBytes / pieceBytes);
  const used = new Set<number>();
  while (used.size < pieces) used.add(Math.floor(Math.random() * slots));
  for (const slot of used) writeSync(fd, randomBytes(pieceBytes), 0, pieceBytes, slot * pieceBytes);
  closeSync(fd);
}

// Cold data, warm tools: after dropping the page cache, both programs' binaries (node's is ~100 MB,
// cp's 0.15 MB) are read back in, as on a host that runs them; walbctl's own files stay cold.
const dropCaches = () => {
  spawnSync('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches']);
  spawnSync(process.execPath, ['-e', '0']);
  spawnSync('cp', ['--version']);
};
const rate = (bytes: number, s: number) => `${(bytes / MB / s).toFixed(0).padStart(6)} MB/s`;
const line = (name: string, s: number, extra = '') => console.log(`${name.padEnd(46)} ${s.toFixed(2).padStart(7)} s ${extra}`);
const isRoot = process.getuid?.() === 0;

try {
  console.log(`bench:archive in ${dir}: volume ${(size / 2 ** 30).toFixed(1)} GiB, 25 % written with random data (1 MiB pieces)`);
  spawnSync('truncate', ['-s', String(size), device]);
  writeRandom(device, Math.floor(size / 4 / MiB), MiB, size);
  const data = size / 4;
  // Full backup vs cp --sparse=always, both from a cold cache (as root) or both warm, in
  // BENCH_PAIRS interleaved pairs (3 by default; each pair a fresh storage and archive): the disk's
  // speed moves between runs, so the figure is the median of the pairs' ratios.
  const pairs = Math.max(1, Number(process.env.BENCH_PAIRS ?? 3));
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const d = i === pairs - 1 ? dataDir : join(dir, `data-pair-${i}`);
    walbctl('vol', 'init', vol, '--device', device, '--data-dir', d);
    walbctl('archive', 'init', vol, '--data-dir', d);
    if (isRoot) dropCaches();
    const cp = time('cp', ['--sparse=always', device, join(dir, 'cp.img')]);
    const cpSync = time('sync', ['-f', join(dir, 'cp.img')]);
    rmSync(join(dir, 'cp.img'));
    if (isRoot) dropCaches();
    const full = walbctl('vol', 'full-backup', vol, '--data-dir', d);
    if (d !== dataDir) rmSync(d, { recursive: true, force: true });
    ratios.push(cp.seconds / full.seconds);
    const load = loadavg()[0]!.toFixed(1);
    line(`cp --sparse=always (baseline), pair ${i + 1}`, cp.seconds, `${rate(data, cp.seconds)} of data  (+ sync ${cpSync.seconds.toFixed(2)} s)`);
    line(`full backup (scan, fsynced), pair ${i + 1}`, full.seconds, `${rate(data, full.seconds)} of data  = ${(cp.seconds / full.seconds).toFixed(2)}x cp throughput (${((cp.seconds + cpSync.seconds) / full.seconds).toFixed(2)}x cp+sync); load ${load}`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(`full backup, median of ${pairs} pairs: ${sorted[Math.floor((pairs - 1) / 2)]!.toFixed(2)}x cp throughput (range ${sorted[0]!.toFixed(2)}-${sorted[pairs - 1]!.toFixed(2)}; target >= 0.8x)`);

  // A scan snapshot after 1 % changed: 64 KiB pieces of random data, the volume page-cached.
  writeRandom(device, Math.floor(size / 100 / (64 * 1024)), 64 * 1024, size);
  spawnSync('sh', ['-c', `cat '${device}' > /dev/null`]); // warm the page cache
  const snap = walbctl('vol', 'snapshot', vol, '--data-dir', dataDir, '--implicit');
  const scanned = snap.json.bytesScanned as number;
  const scanS = snap.json.scanSeconds as number;
  const read = snap.json.bytesRead as number;
  line('scan snapshot after 1 % changed (process)', snap.seconds, `${rate(scanned, snap.seconds)} of volume; diff ${((snap.json.diffBytes as number) / MB).toFixed(1)} MB`);
  line('  of which the scan (hash, compare, write)', scanS, `${rate(scanned, scanS)} of volume, ${rate(read, scanS)} of data read`);

  // 19 more diffs, 0.25 % each: 20 diffs after the base in all.
  let diffBytes = snap.json.diffBytes as number;
  for (let i = 0; i < 19; i++) {
    writeRandom(device, Math.max(1, Math.floor(size / 400 / (64 * 1024))), 64 * 1024, size);
    const s = walbctl('vol', 'snapshot', vol, '--data-dir', dataDir, '--implicit');
    diffBytes += s.json.diffBytes as number;
  }
  const latest = 21;
  console.log(`20 diffs, ${(diffBytes / MB).toFixed(1)} MB of wdiff in all`);

  const base = join(dataDir, 'archive', vol, 'base.img');
  if (isRoot) dropCaches();
  const cpBase = time('cp', ['--sparse=always', base, join(dir, 'cp-base.img')]);
  rmSync(join(dir, 'cp-base.img'));
  if (isRoot) dropCaches();
  const restore = walbctl('archive', 'restore', vol, String(latest), '--path', join(dir, 'r.img'), '--data-dir', dataDir);
  const cpBaseSync = time('sh', ['-c', `cp --sparse=always '${base}' '${join(dir, 'cp-base.img')}' && sync -f '${join(dir, 'cp-base.img')}'`]);
  rmSync(join(dir, 'cp-base.img'));
  line('cp --sparse=always of the base (baseline)', cpBase.seconds, `(cp + sync, warm: ${cpBaseSync.seconds.toFixed(2)} s)`);
  line(`restore, 20 diffs, ${restore.json.method === 'reflink' ? 'reflink' : 'sparse copy'} (fsynced)`, restore.seconds, `= ${(restore.seconds / cpBase.seconds).toFixed(2)}x cp's time`);
  rmSync(join(dir, 'r.img'));

  // A copy of the archive for apply (and, as root, on XFS with reflink for the reflink restore).
  let applyDir = join(dir, 'data-apply');
  let xfs: string | null = null;
  if (isRoot) {
    xfs = join(dir, 'xfs');
    mkdirSync(xfs);
    spawnSync('truncate', ['-s', String(Math.max(4 * size, 2 ** 30)), join(dir, 'xfs.img')]);
    spawnSync('mkfs.xfs', ['-q', '-m', 'reflink=1', join(dir, 'xfs.img')]);
    const m = spawnSync('mount', ['-o', 'loop', join(dir, 'xfs.img'), xfs]);
    if (m.status !== 0) xfs = null;
    else applyDir = join(xfs, 'data');
  }
  mkdirSync(join(applyDir, 'archive'), { recursive: true });
  time('cp', ['-a', '--sparse=always', join(dataDir, 'archive', vol), join(applyDir, 'archive', vol)]);
  if (xfs) {
    const xbase = join(applyDir, 'archive', vol, 'base.img');
    const cpRef = time('cp', ['--reflink=always', xbase, join(xfs, 'cp-ref.img')]);
    const one = walbctl('archive', 'restore', vol, '2', '--mode', 'reflink', '--path', join(xfs, 'r1.img'), '--data-dir', applyDir);
    const twenty = walbctl('archive', 'restore', vol, String(latest), '--mode', 'reflink', '--path', join(xfs, 'r20.img'), '--data-dir', applyDir);
    line('cp --reflink=always of the base on XFS (baseline)', cpRef.seconds);
    line('restore, 1 diff, reflink (XFS)', one.seconds, `diff ${(((one.json.bytes as number) ?? 0) / MB).toFixed(1)} MB`);
    line('restore, 20 diffs, reflink (XFS)', twenty.seconds, `diffs ${(((twenty.json.bytes as number) ?? 0) / MB).toFixed(1)} MB; the volume is ${(size / MB).toFixed(0)} MB`);
  } else {
    console.log('restore with reflink: skipped (needs root for an XFS loop mount)');
  }

  const merge = walbctl('archive', 'merge', vol, '2', String(latest), '--data-dir', dataDir);
  line('merge of 20 diffs', merge.seconds, `${rate(merge.json.bytesIn as number, merge.seconds)} of input; out ${((merge.json.bytesOut as number) / MB).toFixed(1)} MB`);
  const apply = walbctl('archive', 'apply', vol, String(latest), '--data-dir', applyDir);
  line(`apply of 20 diffs${xfs ? ' (XFS)' : ''}`, apply.seconds, `${rate(apply.json.bytes as number, apply.seconds)} of wdiff`);
  if (xfs) spawnSync('umount', [xfs]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
