/**
 * npm run bench:walb — walbctl against WalB's own binaries (../shared/walb-tools/bin) on every
 * data-path operation both do, and walbctl's restore and full backup against `cp --sparse=always` +
 * `sync FILE`, an fsync of the copy (walbctl fsyncs its outputs). Inputs come from WalB's `wlog-gen` (pbs 4096, default IO
 * sizes 512 B–32 KiB): one log of BENCH_WALB_SIZE bytes (1 GiB) on a device of that size, and ten logs
 * of a tenth of it for the merges, once with `--nodiscard` (WalB's almost-zero data: compressible) and
 * once with `--nodiscard --rand` (incompressible). Each round runs every operation with walbctl and
 * WalB alternating (who goes first alternates too), cold (page cache dropped before each run, as root)
 * and warm (inputs read into the page cache first). Every output is checked: the image it gives (or
 * the target it wrote) must have the same sha1 for both tools. Printed per operation: the ratio
 * walbctl ÷ WalB throughput (their times inverted), min and median over BENCH_WALB_ROUNDS rounds (3),
 * and peak memory from /proc/PID/status (VmHWM, RssAnon and RssFile apart).
 * Two ratios are printed: "as run" compares the commands' own times (walbctl's includes the fsync of
 * its output before the rename; WalB's `wdiff-redo`, `wdiff-merge` and `wlog-to-wdiff` leave theirs in
 * the page cache), and "durable" compares the same work: after each run its output file (and its
 * directory) is fsynced by the bench, timed apart and added to that tool's time, as bench:wire does
 * for its pipeline (walbctl's fsync then finds nothing left to write).
 * BENCH_WALB_OPS=name,name runs only those operations; BENCH_DIR places the files; BENCH_KEEP=1 keeps them.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { run, type Run } from './measure.js';
import { makeWorkload, type Op, type Workload } from './ops.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), import.meta.url.includes('/dist/') ? '../../..' : '../..');
const walbBin = [join(root, '../shared/walb-tools/bin'), join(root, '../../shared/walb-tools/bin')].find((d) => existsSync(d)) ?? join(root, '../shared/walb-tools/bin');
const size = Number(process.env.BENCH_WALB_SIZE ?? 2 ** 30);
const rounds = Math.max(1, Number(process.env.BENCH_WALB_ROUNDS ?? 3));
const only = process.env.BENCH_WALB_OPS?.split(',').filter(Boolean);
const isRoot = process.getuid?.() === 0;

const probe = spawnSync(join(walbBin, 'wlog-gen'), ['-z', '64K', '-o', '/dev/null']);
if (probe.error || probe.status !== 0) {
  console.log(`bench:walb skipped: WalB's binaries do not run from ${walbBin} (${probe.error?.message ?? `exit ${probe.status}: ${probe.stderr}`})`);
  process.exit(0);
}

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'walbctl-bench-walb-'));
const caches: Array<'cold' | 'warm'> = isRoot ? ['cold', 'warm'] : ['warm'];

// Both sides start from a clean page cache state: the previous run's dirty pages are written out
// first (WalB's tools do not fsync their outputs, so without this their writeback would run during
// the next timed run, walbctl's or WalB's).
function prepareCache(mode: 'cold' | 'warm', files: string[]): void {
  spawnSync('sync');
  if (mode === 'cold') {
    spawnSync('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches']);
    spawnSync(process.execPath, ['-e', '0']); // the programs themselves are warm, as on a host that runs them
    spawnSync(join(walbBin, 'wlog-show'), ['-h']);
  } else {
    for (const f of files) spawnSync('sh', ['-c', `cat '${f}' > /dev/null`]);
  }
}

interface Sample {
  ratio: number;
  durable: number;
  ours: Run;
  theirs: Run;
  oursSync: number;
  theirsSync: number;
  load: number;
}
const results = new Map<string, Sample[]>();
// The middle value; the mean of the two middle ones for an even count of rounds.
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const MB = 1e6;
const mem = (r: Run) => `${(r.hwmKiB / 1024).toFixed(0)}/${(r.anonKiB / 1024).toFixed(0)}/${(r.fileKiB / 1024).toFixed(0)}`;

// Seconds an fsync of the file and of its directory takes (what making the output durable costs).
function fsyncSeconds(file: string | undefined): number {
  if (!file) return 0;
  const t0 = process.hrtime.bigint();
  for (const [path, flags] of [[file, 'r+'], [dirname(file), 'r']] as const) {
    const fd = openSync(path, flags);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function timed(op: Op, tool: 'ours' | 'theirs', mode: 'cold' | 'warm'): Promise<{ r: Run; sync: number }> {
  op.before?.(tool);
  prepareCache(mode, op.inputs);
  const r = await run(tool === 'ours' ? op.ours : op.theirs);
  return { r, sync: fsyncSeconds(op.outputs?.[tool]) };
}

try {
  console.log(
    `bench:walb in ${dir}: ${(size / 2 ** 20).toFixed(0)} MiB logs, ${rounds} round(s), ${caches.join(' and ')} cache` +
      `${isRoot ? '' : ' (cold needs root to drop the page cache: skipped)'}; ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; ${new Date().toISOString()}`,
  );
  for (const kind of ['nodiscard', 'rand'] as const) {
    const t0 = Date.now();
    const w: Workload = await makeWorkload({ dir: join(dir, kind), walbBin, root, size, rand: kind === 'rand' });
    console.log(`\n${kind}: inputs made in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const ops = w.ops.filter((o) => !only || only.includes(o.name));
    for (let round = 0; round < rounds; round++) {
      for (const op of ops) {
        for (const mode of caches) {
          const order: Array<'ours' | 'theirs'> = round % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
          const got: Partial<Record<'ours' | 'theirs', { r: Run; sync: number }>> = {};
          for (const tool of order) {
            got[tool] = await timed(op, tool, mode);
            await op.check(tool);
          }
          if (!(await op.same())) throw new Error(`${kind} ${op.name}: walbctl's and the baseline's images differ (sha1)`);
          const [o, t] = [got.ours!, got.theirs!];
          const s: Sample = {
            ratio: t.r.seconds / o.r.seconds,
            durable: (t.r.seconds + t.sync) / (o.r.seconds + o.sync),
            ours: o.r,
            theirs: t.r,
            oursSync: o.sync,
            theirsSync: t.sync,
            load: loadavg()[0]!,
          };
          const key = `${kind} ${op.name} ${mode}`;
          results.set(key, [...(results.get(key) ?? []), s]);
          console.log(
            `  round ${round + 1} ${op.name.padEnd(16)} ${mode}: walbctl ${s.ours.seconds.toFixed(2)} s, ${op.baseline} ${s.theirs.seconds.toFixed(2)} s ` +
              `= ${s.ratio.toFixed(2)}x as run; + fsync ${s.oursSync.toFixed(2)} / ${s.theirsSync.toFixed(2)} s = ${s.durable.toFixed(2)}x durable  ` +
              `(${(op.bytes / MB / s.ours.seconds).toFixed(0)} vs ${(op.bytes / MB / s.theirs.seconds).toFixed(0)} MB/s; ` +
              `CPU ${s.ours.cpuSeconds.toFixed(2)} vs ${s.theirs.cpuSeconds.toFixed(2)} s; load ${s.load.toFixed(1)})`,
          );
        }
      }
    }
    if (!process.env.BENCH_KEEP) rmSync(join(dir, kind), { recursive: true, force: true });
  }
  console.log(`\nwalbctl ÷ baseline throughput (baseline = WalB's tool, or cp --sparse=always + sync FILE); memory MiB = VmHWM/RssAnon/RssFile peaks`);
  console.log(`as run = the commands' own times (walbctl fsyncs its output, WalB's wdiff-redo, wdiff-merge and wlog-to-wdiff do not);`);
  console.log(`durable = each tool's time + an fsync of its output file and directory after it (the same work on both sides)`);
  console.log(`CPU s = median user+system seconds of walbctl / the baseline`);
  console.log(`${'workload operation cache'.padEnd(34)} ${'as run min'.padStart(10)} ${'median'.padStart(6)}  ${'durable min'.padStart(11)} ${'median'.padStart(6)}  ${'CPU s'.padEnd(11)} walbctl mem      baseline mem      load`);
  for (const [key, ss] of results) {
    const rs = ss.map((s) => s.ratio);
    const ds = ss.map((s) => s.durable);
    const peak = (f: (s: Sample) => Run) => ss.map(f).reduce((a, b) => (b.hwmKiB > a.hwmKiB ? b : a));
    const cpu = `${median(ss.map((s) => s.ours.cpuSeconds)).toFixed(2)}/${median(ss.map((s) => s.theirs.cpuSeconds)).toFixed(2)}`;
    console.log(`${key.padEnd(34)} ${Math.min(...rs).toFixed(2).padStart(10)} ${median(rs).toFixed(2).padStart(6)}  ${Math.min(...ds).toFixed(2).padStart(11)} ${median(ds).toFixed(2).padStart(6)}  ${cpu.padEnd(11)} ${mem(peak((s) => s.ours)).padEnd(16)} ${mem(peak((s) => s.theirs)).padEnd(16)}  ${Math.min(...ss.map((s) => s.load)).toFixed(1)}–${Math.max(...ss.map((s) => s.load)).toFixed(1)}`);
  }
} finally {
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
void statSync;
