#!/usr/bin/env node
// Crash test of the archive and scan storage: kill -9 at random points of full backup, snapshot,
// merge, apply and restore; run the same command again; then the archive must verify and every
// restorable gid checked must restore to the exact bytes (sha1) the volume had at that snapshot.
//
//   node scripts/crash-archive.mjs [--trials N] [--seed S] [--size BYTES] [--json] [--keep]
//
// Runs against the compiled code in dist/ (npm run build:ts). Each operation runs in a child
// process that prints "go" just before it starts; the parent kills it with SIGKILL after a random
// delay within the operation's measured duration. Exit 0 when every invariant held.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const A = await import(join(root, 'dist/native/lib/archive/index.js'));
const { pidAlive } = await import(join(root, 'dist/native/lib/archive/lock.js'));
const S = await import(join(root, 'dist/native/lib/storage/index.js'));
const Sums = await import(join(root, 'dist/native/lib/archive/base-sums.js'));
const { hashImage } = await import(join(root, 'dist/native/lib/archive/addon.js'));

if (process.argv[2] === '--child') {
  const [op, json] = process.argv.slice(3);
  const a = JSON.parse(json);
  process.stdout.write('go\n');
  try {
    switch (op) {
      case 'full-backup': await S.fullBackup(a.dataDir, a.vol); break;
      case 'snapshot': await S.snapshot(a.dataDir, a.vol, { explicit: a.explicit }); break;
      case 'merge': await A.merge(a.dataDir, a.vol, { gidB: a.gidB, gidE: a.gidE }); break;
      case 'apply': await A.applyUpTo(a.dataDir, a.vol, a.gid); break;
      case 'restore': await A.restore(a.dataDir, a.vol, a.gid, { path: a.path }); break;
      default: throw new Error(`unknown op ${op}`);
    }
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${error.code ?? ''} ${error.message}\n`);
    process.exit(error.code === 'bad-gid' ? 3 : 1);
  }
}

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const trials = Number(flag('trials', '60'));
const seed = Number(flag('seed', String(Date.now() % 100000)));
const size = Number(flag('size', String(8 << 20)));
const json = process.argv.includes('--json');
const keep = process.argv.includes('--keep');

let state = seed >>> 0;
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const sha1 = (p) => createHash('sha1').update(readFileSync(p)).digest('hex');

const dir = mkdtempSync(join(tmpdir(), 'walbctl-crash-'));
const dataDir = join(dir, 'data');
const vol = 'v';
const device = join(dir, 'v.img');

function change() {
  const len = pick([512, 4096, 65536, 300000]);
  const off = int(0, size - len);
  const kind = pick(['data', 'data', 'zero', 'discard']);
  if (kind === 'discard') {
    spawnSync('fallocate', ['-p', '-o', String(off), '-l', String(len), device]);
    return;
  }
  const buf = Buffer.alloc(len);
  if (kind === 'data') for (let i = 0; i < len; i++) buf[i] = (rand() * 256) | 0;
  const fd = openSync(device, 'r+');
  writeSync(fd, buf, 0, len, off);
  closeSync(fd);
}

function runChild(op, args, killAfterMs) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let started = 0;
    let err = '';
    const child = spawn(process.execPath, [self, '--child', op, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => {
      if (!started && d.toString().includes('go')) {
        started = Date.now();
        if (killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (d) => (err += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, ms: started ? Date.now() - started : Date.now() - t0, err }));
  });
}

const expected = new Map();
const estimate = { 'full-backup': 40, snapshot: 40, merge: 20, apply: 20, restore: 30 };
const counts = { trials: 0, kills: 0, reruns: 0, restoresChecked: 0, sumsChecked: 0, flipsCaught: 0, byOp: {} };
const failures = [];

async function recordSnapshots(before) {
  const s = await S.observeStorage(dataDir, vol);
  const sha = sha1(device);
  for (let g = (before ?? -1) + 1; g <= (s.latestGid ?? -1); g++) expected.set(g, sha);
}

// The base's checksums after every trial: they are of the base snapshot and equal the hashes of the
// whole base (an apply killed midway and finished by the re-run refreshed exactly the right bulks);
// and a byte flipped at a random place in the base is caught by verify, naming its bulk.
async function checkSums(label) {
  const paths = A.archivePaths(dataDir, vol);
  const meta = await A.archiveMeta(dataDir, vol);
  const sums = await Sums.readSums(paths.sums);
  if (!sums) return void failures.push(`${label}: base.sums is missing`);
  if (sums.snap.b !== meta.base.b.b || sums.snap.e !== meta.base.b.e) failures.push(`${label}: base.sums is of |${sums.snap.b},${sums.snap.e}|, the base of |${meta.base.b.b},${meta.base.b.e}|`);
  const whole = await hashImage({ path: paths.base, bulkSize: sums.bulkSize, sizeBytes: sums.sizeBytes });
  if (!whole.equals(sums.hashes)) failures.push(`${label}: base.sums does not match the base's bytes`);
  counts.sumsChecked++;
  const at = Math.floor(rand() * size);
  const fd = openSync(paths.base, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    writeSync(fd, Buffer.from([b[0] ^ 0x08]), 0, 1, at);
    const bulk = Math.floor(at / sums.bulkSize);
    const report = await A.verifyArchive(dataDir, vol);
    if (report.problems.some((p) => p.includes(`(bulk ${bulk}) do not match`))) counts.flipsCaught++;
    else failures.push(`${label}: a byte flipped at ${at} of the base was not caught by verify: ${report.problems.join('; ')}`);
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

async function check(label) {
  // The re-run recovered the volume first: no temporary file of the killed process is left in it.
  // Parsed here rather than by the code's own tempOwner, so a name the code stops recognising is caught.
  for (const name of readdirSync(A.archivePaths(dataDir, vol).dir)) {
    const m = /^\.tmp-.*\.(\d+)\.[0-9a-z]+$/.exec(name);
    const pid = m ? Number(m[1]) : null;
    if (pid !== null && pid !== process.pid && !pidAlive(pid)) failures.push(`${label}: ${name}, a temporary file of the killed process ${pid}, is still there`);
  }
  const report = await A.verifyArchive(dataDir, vol);
  if (!report.ok) failures.push(`${label}: verify: ${report.problems.join('; ')}`);
  else if (!report.baseChecked) failures.push(`${label}: verify did not check the base against its checksums`);
  else await checkSums(label);
  const gids = (await A.restorable(dataDir, vol)).map((r) => r.gid);
  const sample = new Set([gids[gids.length - 1], pick(gids)].filter((g) => g !== undefined));
  for (const gid of sample) {
    const path = join(dir, `check-${gid}.img`);
    try {
      await A.restore(dataDir, vol, gid, { path });
      const got = sha1(path);
      if (got !== expected.get(gid)) failures.push(`${label}: gid ${gid} restored to ${got}, expected ${expected.get(gid)}`);
      counts.restoresChecked++;
    } catch (e) {
      failures.push(`${label}: restore of gid ${gid} failed: ${e.message}`);
    } finally {
      await A.deleteRestored(dataDir, vol, gid, { path }).catch(() => {});
      rmSync(path, { force: true });
    }
  }
}

async function chooseOp() {
  const archive = await A.observeArchive(dataDir, vol);
  if (archive.state !== 'Archived') return { op: 'full-backup', args: { dataDir, vol } };
  const gids = archive.restorable.map((r) => r.gid);
  const roll = rand();
  if (roll < 0.2 && archive.diffs.length >= 2) {
    const i = int(0, archive.diffs.length - 2);
    let j = i;
    while (j + 1 < archive.diffs.length && archive.diffs[j + 1].mergeable && !archive.explicitSnapshots.includes(archive.diffs[j + 1].b.b)) j++;
    if (j > i) return { op: 'merge', args: { dataDir, vol, gidB: archive.diffs[i].b.b, gidE: archive.diffs[int(i + 1, j)].e.b } };
  }
  if (roll < 0.35 && gids.length >= 4) return { op: 'apply', args: { dataDir, vol, gid: gids[int(0, gids.length - 3)] } };
  if (roll < 0.6 && gids.length >= 1) return { op: 'restore', args: { dataDir, vol, gid: pick(gids), path: join(dir, `restore-${counts.trials}.img`) } };
  for (let c = int(1, 4); c > 0; c--) change();
  return { op: 'snapshot', args: { dataDir, vol, explicit: rand() < 0.3 } };
}

// Full backup can run once per volume: its trials use volumes of their own.
const fullTrials = Math.max(1, Math.round(trials / 10));
for (let k = 0; k < fullTrials; k++) {
  counts.trials++;
  counts.byOp['full-backup'] = (counts.byOp['full-backup'] ?? 0) + 1;
  const v = `f${k}`;
  const dev = join(dir, `${v}.img`);
  await S.initVolume(dataDir, v, { devicePath: dev, sizeBytes: size });
  await A.initArchiveVolume(dataDir, v);
  const buf = Buffer.alloc(size / 2);
  for (let i = 0; i < buf.length; i += 4096) buf[i] = (rand() * 256) | 1;
  const fd = openSync(dev, 'r+');
  writeSync(fd, buf, 0, buf.length, int(0, size / 2 / 4096) * 4096);
  closeSync(fd);
  const delay = Math.floor(rand() * estimate['full-backup']);
  const first = await runChild('full-backup', { dataDir, vol: v }, delay);
  if (first.signal === 'SIGKILL') {
    counts.kills++;
    const again = await runChild('full-backup', { dataDir, vol: v }, null);
    counts.reruns++;
    if (again.code !== 0) failures.push(`full backup ${k} re-run exited ${again.code}: ${again.err.trim()}`);
    else estimate['full-backup'] = Math.max(estimate['full-backup'], Math.ceil(again.ms * 1.2));
  } else if (first.code !== 0) failures.push(`full backup ${k} exited ${first.code}: ${first.err.trim()}`);
  else estimate['full-backup'] = Math.max(estimate['full-backup'], Math.ceil(first.ms * 1.2));
  const snap = await S.snapshot(dataDir, v);
  const path = join(dir, `${v}-check.img`);
  await A.restore(dataDir, v, snap.gid, { path });
  if (sha1(path) !== sha1(dev)) failures.push(`full backup ${k}: gid ${snap.gid} restored to the wrong bytes`);
  counts.restoresChecked++;
  const report = await A.verifyArchive(dataDir, v);
  if (!report.ok) failures.push(`full backup ${k}: verify: ${report.problems.join('; ')}`);
  rmSync(path, { force: true });
}

await S.initVolume(dataDir, vol, { devicePath: device, sizeBytes: size, bulkSize: pick([4096, 65536]) });
await A.initArchiveVolume(dataDir, vol);
for (let c = 0; c < 6; c++) change();

for (let t = fullTrials; t < trials; t++) {
  counts.trials++;
  const { op, args } = await chooseOp();
  counts.byOp[op] = (counts.byOp[op] ?? 0) + 1;
  const before = (await S.observeStorage(dataDir, vol)).latestGid;
  const delay = Math.floor(rand() * estimate[op]);
  const first = await runChild(op, args, delay);
  if (first.signal === 'SIGKILL') {
    counts.kills++;
    const again = await runChild(op, args, null);
    counts.reruns++;
    if (again.code === 0) estimate[op] = Math.max(estimate[op], Math.ceil(again.ms * 1.2));
    const okCodes = [0];
    if (!okCodes.includes(again.code)) failures.push(`trial ${t} ${op} re-run after kill at ${delay} ms exited ${again.code}: ${again.err.trim()}`);
  } else if (first.code !== 0) {
    failures.push(`trial ${t} ${op} exited ${first.code}: ${first.err.trim()}`);
  } else {
    estimate[op] = Math.max(estimate[op], Math.ceil(first.ms * 1.2));
  }
  if (op === 'snapshot' || op === 'full-backup') await recordSnapshots(before);
  if (op === 'restore') {
    const listed = (await A.restoredImages(dataDir, vol)).find((r) => r.path === args.path);
    if (!listed) failures.push(`trial ${t}: restore of gid ${args.gid} is not listed after the re-run`);
    else if (sha1(args.path) !== expected.get(args.gid)) failures.push(`trial ${t}: restored gid ${args.gid} has the wrong bytes`);
    await A.deleteRestored(dataDir, vol, args.gid, { path: args.path }).catch(() => {});
  }
  await check(`trial ${t} (${op})`);
  if (failures.length > 0) break;
}

const result = { seed, ...counts, failures };
if (json) process.stdout.write(JSON.stringify(result) + '\n');
else {
  process.stdout.write(`crash-archive: seed ${seed}: ${counts.trials} trials (${Object.entries(counts.byOp).map(([k, v]) => `${k} ${v}`).join(', ')}), ${counts.kills} killed and re-run, ${counts.restoresChecked} restores checked, base checksums checked ${counts.sumsChecked} times, ${counts.flipsCaught} flipped base bytes caught\n`);
  for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
  process.stdout.write(failures.length === 0 ? 'crash-archive: every invariant held\n' : `crash-archive: ${failures.length} failure(s); data kept in ${dir}\n`);
}
if (!keep && failures.length === 0) rmSync(dir, { recursive: true, force: true });
process.exit(failures.length === 0 ? 0 : 1);
