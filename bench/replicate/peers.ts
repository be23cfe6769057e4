/**
 * The two ends of bench:replicate as processes of their own: the target archive served by a wire
 * server (ar-2), and one replication run by a sender process (ar-1, repl-peer.js) that prints its
 * result as JSON. CPU seconds are read from /proc so both ends can be charged.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { spawnPeer, type PeerProcess } from '../../native/lib/wire/testing/spawn-peer.js';

export const address = '127.0.0.15';
const MiB = 2 ** 20;
const sender = fileURLToPath(new URL('../../native/lib/replicate/testing/repl-peer.js', import.meta.url));

export type Tls = (host: string) => object;

/** User+sys CPU seconds a running process used so far (/proc/PID/stat, clock ticks of 1/100 s). */
export function cpuOfPid(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Minor page faults of a running process so far (/proc/PID/stat). */
export function faultsOfPid(pid: number | undefined): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[7]);
  } catch {
    return NaN;
  }
}

export interface Target {
  server: PeerProcess;
  port: number;
  stop(): Promise<void>;
}

/** Serves the archive at `dataDir` as ar-2 on the bench's loopback address. */
export async function serveTarget(dataDir: string, tls: Tls): Promise<Target> {
  const server = spawnPeer({ role: 'serve', host: 'ar-2', address, dataDir, ...tls('ar-2') });
  const port = Number((await server.first).port);
  return {
    server,
    port,
    stop: async () => {
      server.child.kill('SIGTERM');
      await server.exited;
    },
  };
}

export interface SenderRun {
  code: number | null;
  seconds: number;
  result: Record<string, unknown>;
}

/** One replication of volume `v` from the archive at `source` to ar-2 at `port`; `extra`: more of repl-peer's arguments. */
export async function runSender(source: string, port: number, tls: Tls, extra: object = {}): Promise<SenderRun> {
  const t0 = process.hrtime.bigint();
  const prof = process.env.BENCH_REPL_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_REPL_PROF] : [];
  const args = { host: 'ar-1', peer: { host: 'ar-2', address, port }, ...tls('ar-1'), dataDir: source, volume: 'v', checkpointBytes: 64 * MiB, ...extra };
  const child = spawn(process.execPath, [...prof, sender, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  return { code, seconds, result };
}
