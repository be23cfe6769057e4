/**
 * bench:plan — planning 10,000 volumes (synthetic desired + observed state) as a whole process:
 * `walbctl plan --desired … --observed …` (text and `--json`, stdout to /dev/null) from node's start
 * to its exit, runs interleaved, against a baseline
 * measured in the same run: a node process that only reads and JSON.parses the same two files.
 * Targets (issue #5): planning as a whole process under 1 s and under 400 MB — judged on `walbctl plan`
 * as an operator runs it (text); `--json` is measured beside it and reported, with its own figure:
 * it also hashes the whole observed state (the digest a saved plan is checked against) and writes a
 * 17 MB document. Prints a table; `--json` prints the figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BENCH_NOW, synthetic } from './synthetic.js';

const VOLUMES = Number(process.env.BENCH_PLAN_VOLUMES ?? 10_000);
const RUNS = Number(process.env.BENCH_PLAN_RUNS ?? 5);
const measure = fileURLToPath(new URL('./measure.js', import.meta.url));

interface Sample {
  seconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
}

function once(args: string[]): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [measure, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const report = JSON.parse(last) as { maxRssBytes: number; cpuSeconds: number; exit: number };
  if (r.status !== 0 || (report.exit !== 0 && report.exit !== 2)) throw new Error(`measured process failed (exit ${r.status}): ${r.stderr}`);
  return { seconds, cpuSeconds: report.cpuSeconds, maxRssBytes: report.maxRssBytes };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median of RUNS runs of each command, the commands interleaved so a change of load hits them alike. */
function series(commands: string[][]): Sample[] {
  const runs: Sample[][] = commands.map(() => []);
  for (let i = 0; i < RUNS; i++) commands.forEach((args, c) => runs[c]!.push(once(args)));
  return runs.map((samples) => ({
    seconds: median(samples.map((s) => s.seconds)),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
    maxRssBytes: median(samples.map((s) => s.maxRssBytes)),
  }));
}

const dir = mkdtempSync(join(tmpdir(), 'walbctl-bench-plan-'));
try {
  const { desired, observed } = synthetic(VOLUMES);
  const desiredFile = join(dir, 'desired.json');
  const observedFile = join(dir, 'observed.json');
  writeFileSync(desiredFile, JSON.stringify(desired));
  writeFileSync(observedFile, JSON.stringify(observed));
  const inputMb = (statSync(desiredFile).size + statSync(observedFile).size) / 1e6;

  const common = ['plan', '--host', 'local', '--desired', desiredFile, '--observed', observedFile, '--now', BENCH_NOW];
  const loadBefore = loadavg()[0]!;
  const [baseline, text, json] = series([['parse', desiredFile, observedFile], common, [...common, '--json']]) as [Sample, Sample, Sample];

  const mb = (b: number): string => (b / 1048576).toFixed(0);
  const rows = [
    ['baseline: node + JSON.parse of the inputs', baseline],
    ['walbctl plan (text)', text],
    ['walbctl plan --json', json],
  ] as const;
  const figures = {
    volumes: VOLUMES, runs: RUNS, inputMb: Number(inputMb.toFixed(1)), cpu: cpus()[0]?.model ?? 'unknown', node: process.version,
    baseline, planText: text, planJson: json,
    planOverBaselineSeconds: Number((json.seconds - baseline.seconds).toFixed(3)),
    targets: { seconds: 1, maxRssMb: 400 },
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    pass: text.seconds < 1 && Math.max(text.maxRssBytes, json.maxRssBytes) < 400 * 1048576,
    jsonUnderOneSecond: json.seconds < 1,
  };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(figures, null, 2));
  } else {
    console.log(`bench:plan — ${VOLUMES} volumes, inputs ${inputMb.toFixed(1)} MB of JSON, median of ${RUNS} runs, ${process.version}, ${figures.cpu}`);
    console.log('');
    console.log(`${'process'.padEnd(44)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'max RSS MB'.padStart(11)}`);
    for (const [name, s] of rows) console.log(`${name.padEnd(44)} ${s.seconds.toFixed(3).padStart(8)} ${s.cpuSeconds.toFixed(3).padStart(8)} ${mb(s.maxRssBytes).padStart(11)}`);
    console.log('');
    console.log(`planning beyond the baseline: ${(text.seconds - baseline.seconds).toFixed(3)} s (text), ${(json.seconds - baseline.seconds).toFixed(3)} s (JSON)`);
    console.log(`target: walbctl plan (text) < 1 s, every process < 400 MB → ${figures.pass ? 'met' : 'NOT met'} (load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after, ${cpus().length} cores)`);
    console.log(`--json (adds the observed-state digest and a 17 MB document): ${json.seconds.toFixed(3)} s, ${figures.jsonUnderOneSecond ? 'under' : 'NOT under'} 1 s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
