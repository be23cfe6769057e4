/**
 * One process, timed, with its peak memory read from /proc/PID/status while it runs (every 10 ms):
 * VmHWM, and RssAnon / RssFile apart, since a mapped input counts in RSS as file-backed pages the
 * kernel may drop at any time, while anonymous memory is what the process really holds.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Run {
  seconds: number;
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

export function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const peak = { hwm: 0, anon: 0, file: 0 };
    const poll = setInterval(() => {
      const s = status(child.pid!);
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
      if (code !== 0) reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
      else resolve({ seconds, hwmKiB: peak.hwm, anonKiB: peak.anon, fileKiB: peak.file, stdout });
    });
  });
}
