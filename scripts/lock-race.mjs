#!/usr/bin/env node
// Stress test of walbctl's two locks: the host lock (reconciler/apply/lock.ts, refuses when held)
// and an archive volume's metadata lock (native/lib/archive/lock.ts, waits when held). N processes
// each make M attempts; a holder creates a marker file exclusively while it holds the lock, so a
// second holder at the same moment finds the marker (or finds its own replaced): an overlap.
// Meanwhile C crasher processes, one after another, take the lock and kill themselves with SIGKILL
// while holding it (a stale lock for the others to take over); their marker says so and is not an
// overlap.
//
//   node scripts/lock-race.mjs [--kind host|archive] [--procs N] [--attempts M] [--crashers C] [--json]
//
// Runs against dist/ (npm run build:ts). Exit 0 when no two processes ever held the lock at once.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

async function child(kind, dir, attempts, killEvery, seed) {
  const marker = join(dir, 'holder');
  const counts = { held: 0, refused: 0, overlaps: 0, tookOver: 0 };
  const inside = async (i) => {
    counts.held++;
    try {
      writeFileSync(marker, String(process.pid), { flag: 'wx' });
    } catch {
      // A holder that killed itself marked its marker "dying" first (it may linger as a zombie).
      const [pid, dying] = readFileSync(marker, 'utf8').split(':');
      if (!dying && Number(pid) && alive(Number(pid))) counts.overlaps++;
      writeFileSync(marker, String(process.pid));
    }
    if (killEvery > 0 && (i + seed) % killEvery === killEvery - 1) {
      writeFileSync(marker, `${process.pid}:dying`);
      process.stdout.write(JSON.stringify({ ...counts, killed: true }) + '\n');
      process.kill(process.pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 1));
    // Another holder that came in meanwhile replaced the marker with its own pid.
    if (readFileSync(marker, 'utf8') !== String(process.pid)) counts.overlaps++;
    rmSync(marker, { force: true });
  };
  if (kind === 'host') {
    const { acquireHostLock } = await import(join(root, 'dist/reconciler/apply/lock.js'));
    for (let i = 0; i < attempts; i++) {
      let lock;
      try {
        lock = await acquireHostLock(dir, { host: 'race', operation: 'race' });
      } catch (e) {
        if (e.name !== 'HostLockedError' && e.constructor?.name !== 'HostLockedError') throw e;
        counts.refused++;
        // A crasher keeps trying (bounded) until it holds the lock, so that it leaves a stale one.
        if (killEvery === 1 && counts.refused < 2000) {
          i--;
          await new Promise((r) => setTimeout(r, 1));
        }
        continue;
      }
      if (lock.tookOverFrom) counts.tookOver++;
      await inside(i);
      await lock.release();
    }
  } else {
    const { withLock } = await import(join(root, 'dist/native/lib/archive/lock.js'));
    for (let i = 0; i < attempts; i++) await withLock(join(dir, 'lock'), () => inside(i), { volume: 'race', operation: 'race', timeoutMs: 60_000 });
  }
  process.stdout.write(JSON.stringify(counts) + '\n');
}

if (process.argv[2] === '--child') {
  const [kind, dir, attempts, killEvery, seed] = process.argv.slice(3);
  await child(kind, dir, Number(attempts), Number(killEvery), Number(seed));
  process.exit(0);
}

const kind = flag('kind', 'host');
const procs = Number(flag('procs', '4'));
const attempts = Number(flag('attempts', '300'));
const crashers = Number(flag('crashers', '10'));
const dir = mkdtempSync(join(tmpdir(), 'walbctl-lock-race-'));
const t0 = Date.now();
const run = (n, killEvery) =>
  new Promise((resolve) => {
    const c = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', kind, dir, String(n), String(killEvery), '0'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
let working = true;
const workers = Promise.all(Array.from({ length: procs }, () => run(attempts, 0))).finally(() => (working = false));
const crashed = [];
for (let i = 0; i < crashers && working; i++) crashed.push(await run(1, 1));
const runs = [...(await workers), ...crashed];
const total = { kind, procs, attempts, held: 0, refused: 0, overlaps: 0, tookOver: 0, killed: 0, failures: [], seconds: 0 };
for (const r of runs) {
  const last = r.out.trim().split('\n').pop();
  const c = last ? JSON.parse(last) : null;
  if (!c) total.failures.push(`a child printed nothing: ${r.code ?? r.signal} ${r.err.trim()}`);
  else {
    for (const k of ['held', 'refused', 'overlaps', 'tookOver']) total[k] += c[k];
    if (c.killed) total.killed++;
  }
  if (r.code !== 0 && r.signal !== 'SIGKILL') total.failures.push(`a child exited ${r.code ?? r.signal}: ${r.err.trim()}`);
}
total.seconds = (Date.now() - t0) / 1000;
rmSync(dir, { recursive: true, force: true });
if (process.argv.includes('--json')) console.log(JSON.stringify(total));
else console.log(`${kind} lock: ${procs} processes x ${attempts} attempts: ${total.held} held, ${total.refused} refused, ${total.tookOver} stale takeovers, ${total.killed} killed while holding, ${total.overlaps} overlaps (${total.seconds} s)`);
process.exit(total.overlaps === 0 && total.failures.length === 0 ? 0 : 1);
