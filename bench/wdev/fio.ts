/**
 * One fio run on a block device, as the wdev benchmark runs it: the exact command line is kept so
 * docs/BENCHMARKS.md can quote it.
 */
import { execFile, execFileSync } from 'node:child_process';

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

/** One job section: the job's options for one device, under `name`. */
function fioSection(job: FioJob, name: string, device: string, opts: { runtimeSec: number; sizeBytes: number }): string[] {
  return [
    `--name=${name}`, `--filename=${device}`, '--ioengine=libaio', '--iodepth=16', '--direct=1',
    `--rw=${job.rw}`, `--bs=${job.bs}`, `--size=${opts.sizeBytes}`, ...(opts.runtimeSec > 0 ? ['--time_based', `--runtime=${opts.runtimeSec}`] : []),
    '--randrepeat=0', ...(job.fsync ? [`--fsync=${job.fsync}`] : []),
  ];
}

export function runFio(job: FioJob, device: string, opts: { runtimeSec: number; sizeBytes: number }): FioResult {
  return runFioOn(job, [device], opts);
}

/**
 * The same job on several devices at once (one fio process, a job section per device), summed: on
 * two plain devices this is what the disk gives two writers, so half of it is the most a device that
 * writes every byte twice (log and data) can reach.
 */
export function runFioOn(job: FioJob, devices: string[], opts: { runtimeSec: number; sizeBytes: number }): FioResult {
  const args = fioArgs(job, devices, opts);
  return parseFio(args, execFileSync('fio', args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** runFio without blocking the event loop (work in this process goes on while fio runs). */
export function runFioAsync(job: FioJob, device: string, opts: { runtimeSec: number; sizeBytes: number }): Promise<FioResult> {
  const args = fioArgs(job, [device], opts);
  return new Promise((resolve, reject) => {
    execFile('fio', args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, out) => (error ? reject(error) : resolve(parseFio(args, out))));
  });
}

function fioArgs(job: FioJob, devices: string[], opts: { runtimeSec: number; sizeBytes: number }): string[] {
  return [...devices.flatMap((d, i) => fioSection(job, i === 0 ? job.name : `${job.name}-${i + 1}`, d, opts)), '--output-format=json'];
}

function parseFio(args: string[], out: string): FioResult {
  const j = JSON.parse(out.slice(out.indexOf('{'))) as { jobs: { write: { bw_bytes: number; iops: number } }[] };
  const sum = (f: (w: { bw_bytes: number; iops: number }) => number) => j.jobs.reduce((t, x) => t + f(x.write), 0);
  return { mibPerSec: sum((w) => w.bw_bytes) / 2 ** 20, iops: sum((w) => w.iops), command: `fio ${args.join(' ')}` };
}
