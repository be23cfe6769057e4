/**
 * One process, timed, with its peak memory read from /proc/PID/status while it runs (every 10 ms):
 * VmHWM, and RssAnon / RssFile apart, since a mapped input counts in RSS as file-backed pages the
 * kernel may drop at any time, while anonymous memory is what the process really holds. Its CPU
 * seconds (user + system, every thread) come from GNU time, which runs it when installed: the machine
 * is shared, so wall times swing with the load while CPU seconds stay steady.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  seconds: number;
  cpuSeconds: number; // user + system; NaN without /usr/bin/time
  hwmKiB: number;
  anonKiB: number;
  fileKiB: number;
  stdout: string;
}

function status(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(VmHWM|RssAnon|RssFile):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]!] = Number(m[2]);
    }
  } catch {
    // the process is gone
  }
  return out;
}

// The process to watch: GNU time's child once it has started (GNU time itself until then).
function watched(pid: number): number {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length > 0 ? Number(kids[0]) : pid;
  } catch {
    return pid;
  }
}

const gnuTime = '/usr/bin/time';
let runs = 0;

export function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const timeFile = join(tmpdir(), `walbctl-bench-walb-time-${process.pid}-${runs++}`);
    const timed = existsSync(gnuTime);
    const full = timed ? [gnuTime, '-f', '%U %S', '-o', timeFile, ...argv] : argv;
    const t0 = process.hrtime.bigint();
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const peak = { hwm: 0, anon: 0, file: 0 };
    const poll = setInterval(() => {
      const s = status(timed ? watched(child.pid!) : child.pid!);
      peak.hwm = Math.max(peak.hwm, s.VmHWM ?? 0);
      peak.anon = Math.max(peak.anon, s.RssAnon ?? 0);
      peak.file = Math.max(peak.file, s.RssFile ?? 0);
    }, 10);
    child.on('error', (e) => {
      clearInterval(poll);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      let cpuSeconds = NaN;
      if (timed) {
        try {
          const [u, s] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
          cpuSeconds = u! + s!;
        } catch {
          // no figure
        }
        rmSync(timeFile, { force: true });
      }
      if (code !== 0) reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
      else resolve({ seconds, cpuSeconds, hwmKiB: peak.hwm, anonKiB: peak.anon, fileKiB: peak.file, stdout });
    });
  });
}
