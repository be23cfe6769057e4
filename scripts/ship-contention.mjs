#!/usr/bin/env node
// What a busy second vCPU, or a direct reader of the ring, costs a 1 MiB sequential writer on a
// served wdev (the writer and the wdev server on CPU 0): bench:ship's sequential writer loses more
// than the storage's shipping CPU explains, and on this 2-vCPU VM the proxy and the archive (other
// hosts in production) run on CPU 1. Alternating per round, after the 8 GiB ring was written once
// over (a fresh file's first writes cost more): nothing on CPU 1; a spinner on CPU 1 (`sh` busy
// loop); fio reading the ring direct at 70 MB/s on CPU 1 (the shipping reads the log back).
// Bounded: ROUNDS rounds of three 8 s fio runs, each side load killed after its run.
//
// Needs `npm run build`, root, /dev/fuse, losetup and fio.
// Usage: node scripts/ship-contention.mjs [ROUNDS (default 6)]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (m) => import(join(root, 'dist', m));
const { createWdev } = await dist('native/lib/wdev/create.js');
const { serveWdev, checkPrerequisites } = await dist('native/lib/wdev/serve.js');
const { attachWdev, detachWdev } = await dist('native/lib/wdev/attach.js');
const { wdevPaths } = await dist('native/lib/wdev/paths.js');
const { checkpointLog, setOldest, syncLog } = await dist('native/lib/wdev/log-position.js');
const { stopWdev } = await dist('native/lib/wdev/stop.js');
const { runFioAsync } = await dist('bench/wdev/fio.js');

const ROUNDS = Math.max(1, Math.min(50, Number(process.argv[2] ?? 6)));
const why = await checkPrerequisites().then(() => null, (e) => e.message);
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(0);
}
const dir = mkdtempSync('/var/tmp/walbctl-ship-contention-');
const vol = 'x';
let server = null;
try {
  await createWdev(dir, vol, { sizeBytes: 1 << 30, ringBytes: 8 * 2 ** 30 });
  server = await serveWdev(dir, vol);
  await new Promise((ok) => spawn('taskset', ['-a', '-cp', '0', String(server.pid)], { stdio: 'ignore' }).on('exit', ok));
  const w = await attachWdev(dir, vol);
  const p = wdevPaths(dir, vol);
  const free = async () => {
    const st = await syncLog(p, vol);
    await setOldest(p, vol, st.permanentLsid);
    await checkpointLog(p, vol);
  };
  const job = { name: 'seq1m', rw: 'write', bs: '1m' };
  const run = () => runFioAsync(job, w.device, { runtimeSec: 8, sizeBytes: 1 << 30, cpus: '0' });
  for (let i = 0; i < 3; i++) {
    await free();
    await runFioAsync(job, w.device, { runtimeSec: 6, sizeBytes: 1 << 30, cpus: '0' });
  }
  console.log(`machine: load ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}; ${new Date().toISOString()}; the ring written once over`);
  const side = {
    none: () => null,
    spin: () => spawn('taskset', ['-c', '1', 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }),
    read: () => spawn('taskset', ['-c', '1', 'fio', '--name=r', `--filename=${p.ldev}`, '--rw=read', '--bs=1m', '--direct=1', '--rate=70m', '--ioengine=psync', '--time_based', '--runtime=30', '--offset=1g', '--size=4g'], { stdio: 'ignore' }),
  };
  const res = { none: [], spin: [], read: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const cond of Object.keys(side)) {
      await free();
      const child = side[cond]();
      await new Promise((ok) => setTimeout(ok, 300));
      try {
        res[cond].push((await run()).mibPerSec);
      } finally {
        child?.kill('SIGKILL');
      }
      console.log(`round ${r + 1} ${cond}: ${res[cond].at(-1).toFixed(1)} MiB/s`);
    }
  }
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = med(res.none);
  console.log('| CPU 1 during the writer\'s run | 1 MiB sequential writer, median (each round) | against nothing |\n|---|---|---|');
  const names = { none: 'nothing', spin: 'a busy-loop spinner', read: 'fio reading the ring, direct, 70 MB/s' };
  for (const k of Object.keys(res)) console.log(`| ${names[k]} | ${med(res[k]).toFixed(0)} MiB/s (${res[k].map((x) => x.toFixed(0)).join(', ')}) | ${(((base - med(res[k])) / base) * 100).toFixed(1)} % |`);
  await detachWdev(dir, vol);
  await stopWdev(dir, vol);
  server = null;
} finally {
  if (server) {
    await detachWdev(dir, vol).catch(() => {});
    await stopWdev(dir, vol, { force: true }).catch(() => {});
  }
  rmSync(dir, { recursive: true, force: true });
}
