/** Runs a command as a whole process under GNU time: wall seconds, CPU seconds and peak RSS (KiB). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  seconds: number;
  /** user + system CPU seconds of the process: what the work cost, whatever else ran on the machine. */
  cpuSeconds: number;
  maxRssKiB: number;
  stdout: string;
}

export function measure(argv: string[]): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-time-'));
  const out = join(dir, 'time');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', out, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
    const [seconds, rss, user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ');
    return { seconds: Number(seconds), maxRssKiB: Number(rss), cpuSeconds: Number(user) + Number(sys), stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
