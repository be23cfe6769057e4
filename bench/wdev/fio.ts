/**
 * One fio run on a block device, as the wdev benchmark runs it: the exact command line is kept so
 * docs/BENCHMARKS.md can quote it.
 */
import { execFileSync } from 'node:child_process';

export interface FioJob {
  name: string;
  rw: 'write' | 'randwrite';
  bs: string;
  fsync?: number;
}

export interface FioResult {
  mibPerSec: number;
  iops: number;
  command: string;
}

export function fioArgs(job: FioJob, device: string, opts: { runtimeSec: number; sizeBytes: number }): string[] {
  return [
    `--name=${job.name}`, `--filename=${device}`, '--ioengine=libaio', '--iodepth=16', '--direct=1',
    `--rw=${job.rw}`, `--bs=${job.bs}`, `--size=${opts.sizeBytes}`, ...(opts.runtimeSec > 0 ? ['--time_based', `--runtime=${opts.runtimeSec}`] : []),
    '--randrepeat=0', ...(job.fsync ? [`--fsync=${job.fsync}`] : []), '--output-format=json',
  ];
}

export function runFio(job: FioJob, device: string, opts: { runtimeSec: number; sizeBytes: number }): FioResult {
  const args = fioArgs(job, device, opts);
  const out = execFileSync('fio', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const j = JSON.parse(out.slice(out.indexOf('{'))) as { jobs: { write: { bw_bytes: number; iops: number } }[] };
  const w = j.jobs[0]!.write;
  return { mibPerSec: w.bw_bytes / 2 ** 20, iops: w.iops, command: `fio ${args.join(' ')}` };
}
