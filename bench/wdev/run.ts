/**
 * npm run bench:wdev — fio on a loop device over a served wdev against a loop device over a plain
 * file on the same file system, same losetup options, same fio jobs, in one run: 1 MiB sequential
 * and 4 KiB random writes at iodepth 16, with --direct=1 alone and with --fsync=32. Before each
 * wdev run the log is restarted (as if everything had been shipped), so no run overflows the ring.
 * Targets: sequential at least 0.5× the plain file's throughput, random at least 0.3× its IOPS.
 * Each job alternates the devices BENCH_WDEV_ROUNDS times (default 3) and compares the medians: the plain
 * file's throughput here swings by a third from one run to the next.
 *
 * The sequential jobs also run on two plain loop devices at once: half of what the disk gives those two
 * writers together is the most a device that writes every byte twice (log, then data) can reach on this
 * disk in that round, so the bench prints that bound beside the wdev's ratio.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { attachWdev, detachWdev } from '../../native/lib/wdev/attach.js';
import { controlRequest } from '../../native/lib/wdev/control.js';
import { createWdev } from '../../native/lib/wdev/create.js';
import { wdevPaths } from '../../native/lib/wdev/paths.js';
import { checkPrerequisites, serveWdev } from '../../native/lib/wdev/serve.js';
import { stopWdev } from '../../native/lib/wdev/stop.js';
import { runFio, runFioOn, type FioJob, type FioResult } from './fio.js';

const SIZE = Number(process.env.BENCH_WDEV_SIZE ?? 1 << 30);
const RUNTIME = Number(process.env.BENCH_WDEV_RUNTIME ?? 8);
// More than any one run writes (a wdev at 1.25 GiB/s for the whole run), so a run never overflows.
const RING = Math.max(6, Math.ceil(RUNTIME * 1.25)) * 2 ** 30;
// Each job runs ROUNDS times on each device, alternating, and the medians are compared (1: a quick look).
const ROUNDS = Math.max(1, Number(process.env.BENCH_WDEV_ROUNDS ?? 3));
const ALL_JOBS: (FioJob & { metric: 'mibPerSec' | 'iops'; target: number })[] = [
  { name: 'seq1m', rw: 'write', bs: '1m', metric: 'mibPerSec', target: 0.5 },
  { name: 'seq1m-fsync32', rw: 'write', bs: '1m', fsync: 32, metric: 'mibPerSec', target: 0.5 },
  { name: 'rand4k', rw: 'randwrite', bs: '4k', metric: 'iops', target: 0.3 },
  { name: 'rand4k-fsync32', rw: 'randwrite', bs: '4k', fsync: 32, metric: 'iops', target: 0.3 },
];
// BENCH_WDEV_JOBS=rand4k,seq1m runs only those jobs (for quick comparisons); default: all four.
const JOBS = process.env.BENCH_WDEV_JOBS ? ALL_JOBS.filter((j) => process.env.BENCH_WDEV_JOBS!.split(',').includes(j.name)) : ALL_JOBS;

/** The run whose `metric` is the median (the lower middle one for an even count). */
function medianRun(runs: FioResult[], metric: 'mibPerSec' | 'iops'): FioResult {
  const sorted = [...runs].sort((x, y) => x[metric] - y[metric]);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function losetup(file: string): { device: string; command: string } {
  const args = ['--find', '--show', '--direct-io=on', file];
  return { device: execFileSync('losetup', args, { encoding: 'utf8' }).trim(), command: `losetup ${args.join(' ')}` };
}

async function main(): Promise<void> {
  await checkPrerequisites();
  const root = mkdtempSync(join(process.env.BENCH_WDEV_DIR ?? '/var/tmp', 'walbctl-bench-wdev-'));
  const dataDir = join(root, 'data');
  const plainFile = join(root, 'plain.img');
  const plainFile2 = join(root, 'plain2.img');
  let plain: string | null = null;
  let plain2: string | null = null;
  const vol = 'bench';
  try {
    execFileSync('truncate', ['-s', String(SIZE), plainFile]);
    const pl = losetup(plainFile);
    plain = pl.device;
    execFileSync('truncate', ['-s', String(SIZE), plainFile2]);
    plain2 = losetup(plainFile2).device;
    await createWdev(dataDir, vol, { sizeBytes: SIZE, ringBytes: RING });
    await serveWdev(dataDir, vol);
    // The ldev is a backing file too: its ring is written once (with zeros, as it reads when new), as the
    // plain file and the ddev are filled once below, so the log writes measured are overwrites, as they are
    // once a ring has wrapped (or on a block-device ldev). BENCH_WDEV_FRESH_RING=1 skips it: the log then
    // goes to the ring as format leaves it (allocated, never written: ext4 converts each written extent).
    const ringStart = 8192; // design.md: reserved 4096 + super 4096, then the ring
    if (!process.env.BENCH_WDEV_FRESH_RING) execFileSync('dd', ['if=/dev/zero', `of=${wdevPaths(dataDir, vol).ldev}`, 'bs=1M', `seek=${ringStart}`, `count=${RING / 2 ** 20}`, 'oflag=direct,seek_bytes', 'conv=notrunc', 'status=none']);
    const w = await attachWdev(dataDir, vol); // same: losetup --find --show --direct-io=on <wdev file>
    const p = wdevPaths(dataDir, vol);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`);
    console.log(`plain:  ${pl.command}  -> ${plain}`);
    console.log(`wdev:   losetup --find --show --direct-io=on ${p.file}  -> ${w.device}`);
    // First touch allocates blocks in both backing files: fill both once, unmeasured.
    const fill: FioJob = { name: 'fill', rw: 'write', bs: '1m' };
    runFio(fill, plain, { runtimeSec: 0, sizeBytes: SIZE });
    runFio(fill, plain2, { runtimeSec: 0, sizeBytes: SIZE });
    runFio(fill, w.device, { runtimeSec: 0, sizeBytes: SIZE });
    const rows: { job: string; plain: FioResult; wdev: FioResult; ratio: number; target: number; metric: string; bound: number | null }[] = [];
    for (const job of JOBS) {
      // ROUNDS > 1: the plain and the wdev run alternate ROUNDS times and the medians are compared, so one
      // lucky or unlucky run of the plain file (its throughput swings from job to job here) weighs less.
      const runs: { a: FioResult; b: FioResult; pair: FioResult | null }[] = [];
      const bounded = job.metric === 'mibPerSec'; // sequential: bound by the disk's bandwidth
      let writes = 0, packs = 0, syncs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // The log starts empty, as after shipping: everything is made durable and the oldest lsid moved to
        // the end (set-oldest, as ship does; no punch, so the ring stays allocated).
        const synced = await controlRequest(p.socket, 'sync');
        const before = await controlRequest(p.socket, `set-oldest ${synced?.permanentLsid ?? 0}`);
        const a = runFio(job, plain, { runtimeSec: RUNTIME, sizeBytes: SIZE });
        const pair = bounded ? runFioOn(job, [plain, plain2], { runtimeSec: RUNTIME, sizeBytes: SIZE }) : null;
        const b = runFio(job, w.device, { runtimeSec: RUNTIME, sizeBytes: SIZE });
        const st = await controlRequest(p.socket, 'status');
        if (st?.overflow) throw new Error(`the wdev overflowed during ${job.name}: raise the ring size`);
        writes += (st?.writes ?? 0) - (before?.writes ?? 0);
        packs += (st?.packs ?? 0) - (before?.packs ?? 0);
        syncs += (st?.logSyncs ?? 0) - (before?.logSyncs ?? 0);
        runs.push({ a, b, pair });
        const pairNote = pair ? `, two plain at once ${pair.mibPerSec.toFixed(1)} in all (bound ${(pair.mibPerSec / 2 / a.mibPerSec).toFixed(2)}x)` : '';
        if (ROUNDS > 1) console.log(`  ${job.name} round ${round + 1}: plain ${a[job.metric].toFixed(1)}, wdev ${b[job.metric].toFixed(1)} (${(b[job.metric] / a[job.metric]).toFixed(2)}x)${pairNote}`);
      }
      const a = medianRun(runs.map((r) => r.a), job.metric);
      const b = medianRun(runs.map((r) => r.b), job.metric);
      const ratio = b[job.metric] / a[job.metric];
      const pairs = runs.flatMap((r) => (r.pair ? [r.pair] : []));
      const bound = pairs.length ? medianRun(pairs, 'mibPerSec').mibPerSec / 2 / a.mibPerSec : null;
      rows.push({ job: job.name, plain: a, wdev: b, ratio, target: job.target, metric: job.metric, bound });
      console.log(
        `${job.name.padEnd(15)} plain ${a.mibPerSec.toFixed(1).padStart(7)} MiB/s ${a.iops.toFixed(0).padStart(7)} IOPS | ` +
          `wdev ${b.mibPerSec.toFixed(1).padStart(7)} MiB/s ${b.iops.toFixed(0).padStart(7)} IOPS | ` +
          `${job.metric === 'iops' ? 'IOPS' : 'throughput'} ${ratio.toFixed(2)}x (target ${job.target}x) ${ratio >= job.target ? 'ok' : 'BELOW TARGET'} ` +
          `(wdev: ${writes} writes in ${packs} logpacks, ${syncs} log syncs${ROUNDS > 1 ? `; medians of ${ROUNDS} rounds` : ''})`,
      );
      if (bound !== null) {
        console.log(`${''.padEnd(15)} two plain devices at once: half of their sum is ${bound.toFixed(2)}x the plain one, the most two writes of every byte can reach here; the wdev is at ${((ratio / bound) * 100).toFixed(0)} % of it`);
      }
    }
    console.log(`fio lines (DEV = the loop device):\n${rows.map((r) => '  ' + r.plain.command.replace(pl.device, 'DEV')).join('\n')}`);
    console.log(`  two plain at once: the same lines with a second job section (--name=NAME-2 --filename=DEV2 ...)`);
    console.log('\n| job | plain MiB/s | plain IOPS | wdev MiB/s | wdev IOPS | ratio | target | two-write bound |\n|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const bound = r.bound === null ? '—' : `${r.bound.toFixed(2)}x (wdev at ${((r.ratio / r.bound) * 100).toFixed(0)} %)`;
      console.log(`| ${r.job} | ${r.plain.mibPerSec.toFixed(1)} | ${r.plain.iops.toFixed(0)} | ${r.wdev.mibPerSec.toFixed(1)} | ${r.wdev.iops.toFixed(0)} | ${r.ratio.toFixed(2)}x ${r.metric === 'iops' ? 'IOPS' : 'MiB/s'} | ${r.target}x | ${bound} |`);
    }
  } finally {
    if (plain) execFileSync('losetup', ['-d', plain]);
    if (plain2) execFileSync('losetup', ['-d', plain2]);
    await detachWdev(dataDir, vol).catch(() => {});
    await stopWdev(dataDir, vol, { force: true }).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:wdev: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
