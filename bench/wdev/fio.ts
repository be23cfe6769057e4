/**
 * One fio run on a block device, as the wdev benchmark runs it: the exact command line is kept so
 * docs/BENCHMARKS.md can quote it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface FioJob {
  name: string;
  rw: 'write' | 'randwrite';
  bs: string;
  fsync?: number;
  /** Holds the job at this many IOPS (fio --rate_iops). */
  rateIops?: number;
  /** Holds the job at this many MiB/s (fio --rate). */
  rateMiB?: number;
}

export interface FioResult {
  mibPerSec: number;
  iops: number;
  /** fio's own CPU (user + system) over the job, seconds. */
  cpuSec: number;
  command: string;
}

/** One job section: the job's options for one device, under `name`. */
function fioSection(job: FioJob, name: string, device: string, opts: { runtimeSec: number; sizeBytes: number }): string[] {
  return [
    `--name=${name}`, `--filename=${device}`, '--ioengine=libaio', '--iodepth=16', '--direct=1',
    `--rw=${job.rw}`, `--bs=${job.bs}`, `--size=${opts.sizeBytes}`, ...(opts.runtimeSec > 0 ? ['--time_based', `--runtime=${opts.runtimeSec}`] : []),
    '--randrepeat=0', ...(job.fsync ? [`--fsync=${job.fsync}`] : []),
    ...(job.rateIops ? [`--rate_iops=${job.rateIops}`] : []), ...(job.rateMiB ? [`--rate=${job.rateMiB}m`] : []),
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
export function runFioAsync(job: FioJob, device: string, opts: { runtimeSec: number; sizeBytes: number; cpus?: string }): Promise<FioResult> {
  const args = fioArgs(job, [device], opts);
  // With `cpus`, fio runs under taskset on those CPUs only. Under /usr/bin/time where there is one,
  // so that fio's CPU is exact (fio's own usr_cpu/sys_cpu leave out its helper threads).
  const fio = opts.cpus ? ['taskset', '-c', opts.cpus, 'fio', ...args] : ['fio', ...args];
  const timed = existsSync('/usr/bin/time');
  const [cmd, ...argv] = timed ? ['/usr/bin/time', '-f', 'fio-cpu %U %S', ...fio] : fio;
  return new Promise((resolve, reject) => {
    execFile(cmd!, argv, { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, out, err) => {
      if (error) return reject(error);
      const r = parseFio(args, out);
      const m = /fio-cpu ([\d.]+) ([\d.]+)/.exec(err);
      resolve(m ? { ...r, cpuSec: Number(m[1]) + Number(m[2]) } : r);
    });
  });
}

function fioArgs(job: FioJob, devices: string[], opts: { runtimeSec: number; sizeBytes: number }): string[] {
  return [...devices.flatMap((d, i) => fioSection(job, i === 0 ? job.name : `${job.name}-${i + 1}`, d, opts)), '--output-format=json'];
}

function parseFio(args: string[], out: string): FioResult {
  const j = JSON.parse(out.slice(out.indexOf('{'))) as { jobs: { write: { bw_bytes: number; iops: number }; usr_cpu: number; sys_cpu: number; job_runtime: number }[] };
  const sum = (f: (w: { bw_bytes: number; iops: number }) => number) => j.jobs.reduce((t, x) => t + f(x.write), 0);
  const cpuSec = j.jobs.reduce((t, x) => t + ((x.usr_cpu + x.sys_cpu) / 100) * (x.job_runtime / 1000), 0);
  return { mibPerSec: sum((w) => w.bw_bytes) / 2 ** 20, iops: sum((w) => w.iops), cpuSec, command: `fio ${args.join(' ')}` };
}
