/**
 * npm run bench:desired — generates a fleet of 1,000 hosts and 10,000 volumes on templates and
 * times `walbctl validate` and `walbctl show desired --json` on it as whole processes (wall time,
 * peak RSS), next to a baseline measured in the same run: the same commands on the one-host
 * embedded default (start-up, module loading and schema compilation with almost no data).
 * Target: under 2 s and under 400 MB for the big fleet.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { generateFleet } from './generate-fleet.js';

const projectRoot = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));
const bin = join(projectRoot, 'bin/walbctl.js');
const preload = join(projectRoot, 'bench/desired/rss-report.mjs');
const args = process.argv.slice(2);
const hosts = Number(args[args.indexOf('--hosts') + 1] || 1000) || 1000;
const volumes = Number(args[args.indexOf('--volumes') + 1] || 10_000) || 10_000;
const runs = 3;

interface Sample {
  wallMs: number;
  /** User + system time of all the process's threads. */
  cpuMs: number;
  rssMiB: number;
  code: number | null;
  bytes: number;
}

function measure(command: string[], dir: string): Sample {
  const tmp = mkdtempSync(join(tmpdir(), 'walbctl-bench-'));
  const rssFile = join(tmp, 'rss');
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', preload, bin, ...command, dir], {
    env: { ...process.env, WALBCTL_BENCH_RSS_FILE: rssFile },
    maxBuffer: 1 << 30,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const [rssKiB, cpuMs] = readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(tmp, { recursive: true, force: true });
  return { wallMs, cpuMs, rssMiB: rssKiB / 1024, code: r.status, bytes: r.stdout.length };
}

function best(command: string[], dir: string): Sample {
  const samples = Array.from({ length: runs }, () => measure(command, dir));
  return samples.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
}

const fleetDir = join(projectRoot, 'bench/out/desired-fleet');
const inlineDir = join(projectRoot, 'bench/out/desired-fleet-inline');
const t0 = Date.now();
const shape = generateFleet(fleetDir, { hosts, volumes });
generateFleet(inlineDir, { hosts, volumes, shape: 'inline' });
const megabytes = (dir: string): string => (Number(spawnSync('du', ['-sb', join(dir, 'hosts')], { encoding: 'utf8' }).stdout.split('\t')[0]) / 1e6).toFixed(1);
console.log(`fleet: ${hosts} hosts (${shape.storage} storage, ${shape.proxies} proxy, ${shape.archives} archive), ${volumes} volumes on ${5 + shape.archives} templates (${megabytes(fleetDir)} MB of host files); generated in ${Date.now() - t0} ms`);
console.log(`reference fleet "inline": the same with each volume's route spelled out (${megabytes(inlineDir)} MB of host files)`);
console.log(`best of ${runs} runs each, wall time, CPU time (all threads) and peak RSS of the whole process (node ${process.version}, ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
const rows: Array<[string, Sample]> = [
  ['baseline: validate (hosts/local.yaml, hosts/backup.yaml)', best(['validate'], projectRoot)],
  ['baseline: show desired --json (local)', best(['show', 'desired', '--json'], projectRoot)],
  [`validate (${hosts} hosts, ${volumes} volumes)`, best(['validate'], fleetDir)],
  [`show desired --json (${hosts}/${volumes})`, best(['show', 'desired', '--json'], fleetDir)],
  ['reference: validate, inline fleet', best(['validate'], inlineDir)],
];
for (const [name, s] of rows) {
  console.log(`  ${name.padEnd(44)} ${s.wallMs.toFixed(0).padStart(6)} ms wall ${s.cpuMs.toFixed(0).padStart(6)} ms cpu ${s.rssMiB.toFixed(0).padStart(5)} MiB  exit ${s.code}${s.bytes > 10_000 ? `  (${(s.bytes / 1e6).toFixed(1)} MB out)` : ''}`);
}
const big = rows.slice(2, 4);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (figures taken on a busy machine are slower than on an idle one)`);
const ok = big.every(([, s]) => s.code === 0 && s.wallMs < 2000 && s.rssMiB < 400);
console.log(ok ? 'target met: under 2 s and under 400 MB' : 'target MISSED: under 2 s and under 400 MB, exit 0');
process.exitCode = ok ? 0 : 1;
