/**
 * A real daemon against a real local git repository, for the end-to-end tests: a repository with a
 * host file, commits, the daemon as a real process (JSON logs collected), and its /status.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { BusyError } from '../../native/lib/archive/errors.js';
import type { DaemonStatusView } from '../../reconciler/daemon/status-view.js';
import { binPath } from '../helpers/cli.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface VolumeSpec {
  name: string;
  size?: string;
  every?: string;
  extra?: string;
}

export function hostYaml(port: number, volumes: VolumeSpec[], options: { interval?: string } = {}): string {
  const vols = volumes
    .map(
      (v) => `  ${v.name}:
    device:
      path: volumes/${v.name}.img
      size: ${v.size ?? '4MiB'}
    capture: scan
    proxies: [local]
    archives: [local]
    snapshots:
      every: ${v.every ?? '2s'}
    retention:
      keepLast: 3
    merge:
      interval: 1h
      maxNr: 10
      maxSize: 256MiB
    restores:
      - name: newest
        pick: newest
        path: restores/${v.name}-newest.img
        verify: true
${v.extra ?? ''}`,
    )
    .join('');
  return `host: local
address: 127.0.0.1
roles: [storage, proxy, archive]
dataDir: data
createDataDir: true
driver: native
daemon:
  interval: ${options.interval ?? '3s'}
  listen: 127.0.0.1:${port}
storage:
  wlogSize: 16MiB
proxy:
  listen: 127.0.0.1:${port + 1}
archive:
  listen: 127.0.0.1:${port + 2}
volumes:
${vols}`;
}

export interface Repo {
  dir: string;
  commit(message: string, files: Record<string, string>): string;
}

export function makeRepo(): Repo {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-e2e-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'e2e@example.com');
  git('config', 'user.name', 'E2E');
  writeFileSync(join(dir, '.gitignore'), 'data/\n');
  return {
    dir,
    commit(message, files) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      git('add', '-A');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

export interface RunningDaemon {
  child: ChildProcess;
  /** The environment it runs with (its own XDG_STATE_HOME, so its registry entry stays in the test). */
  env: NodeJS.ProcessEnv;
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startDaemon(repo: string, args: string[] = []): RunningDaemon {
  const state = mkdtempSync(join(tmpdir(), 'walbctl-state-'));
  const workdir = join(state, 'checkout');
  const env = { ...process.env, XDG_STATE_HOME: state };
  const child = spawn(process.execPath, [binPath, 'daemon', '--repo', repo, '--host', 'local', '--workdir', workdir, '--log-format', 'json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const logs: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => logs.push({ stderr: chunk.toString('utf8') }));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, env, logs, exited };
}

export async function status(port: number): Promise<DaemonStatusView | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`);
    return res.ok ? ((await res.json()) as DaemonStatusView) : null;
  } catch {
    return null;
  }
}

export function condition(s: DaemonStatusView | null, volume: string, type: 'Ready' | 'Reconciling' | 'Stalled') {
  return s?.volumes[volume]?.conditions.find((c) => c.type === type);
}

export function ready(s: DaemonStatusView | null, volume: string): boolean {
  return condition(s, volume, 'Ready')?.status === 'True';
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, options: { timeoutMs?: number; logs?: unknown[] } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value) return value as T;
    if (Date.now() > deadline) {
      const tail = options.logs ? `\nlast log lines:\n${options.logs.slice(-15).map((l) => JSON.stringify(l)).join('\n')}` : '';
      throw new Error(`timed out waiting for ${what}${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs an archive operation the way an operator retries one: while the host's own daemon runs an
 * action that excludes it (a restore policy's restore, a merge), the archive refuses with BusyError
 * ("try again when it ends"); this tries again every 250 ms for up to `timeoutMs`.
 */
export async function whenNotBusy<T>(fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof BusyError) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
