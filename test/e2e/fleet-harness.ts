/**
 * A fleet on one machine for the end-to-end tests: one `walbctl daemon` process per host of one git
 * repository, each on its own loopback address (127.0.0.x), with its own data directory, state home
 * and certificate from a CA made at test time (the wire's own pki helpers, i.e. openssl).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { initCa, issueHost } from '../../native/lib/wire/index.js';
import { binPath } from '../helpers/cli.js';
import type { RunningDaemon } from './daemon-harness.js';

/** Is the openssl command here (the fleet's certificates are made with it)? */
export const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A free port on `address` (probed: other engineers' tests run on this machine at the same time). */
export async function freePortOn(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, address, () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface FleetHost {
  name: string;
  address: string;
  dataDir: string;
  statusPort: number;
  wirePort: number;
  tls: { ca: string; cert: string; key: string };
}

/** Hosts with addresses, ports, data directories and certificates (the CA in `root/pki`). */
export async function makeHosts(root: string, hosts: { name: string; address: string }[]): Promise<FleetHost[]> {
  const pki = join(root, 'pki');
  await initCa(pki);
  const out: FleetHost[] = [];
  for (const h of hosts) {
    const f = await issueHost(pki, h.name);
    const dataDir = join(root, 'data', h.name);
    mkdirSync(dataDir, { recursive: true });
    out.push({ ...h, dataDir, statusPort: await freePortOn(h.address), wirePort: await freePortOn(h.address), tls: { ca: f.ca, cert: f.cert, key: f.key } });
  }
  return out;
}

/** The host file of `h`: its roles, loopback addresses and certificate paths; `extra` is appended. */
export function fleetHostYaml(h: FleetHost, roles: string[], extra = ''): string {
  const archive = roles.includes('archive') ? `archive:\n  listen: ${h.address}:${h.wirePort}\n` : '';
  return `host: ${h.name}
address: ${h.address}
roles: [${roles.join(', ')}]
dataDir: ${h.dataDir}
driver: native
daemon:
  interval: 2s
  listen: ${h.address}:${h.statusPort}
${archive}tls:
  ca: ${h.tls.ca}
  cert: ${h.tls.cert}
  key: ${h.tls.key}
${extra}`;
}

/** One daemon process for `host`, with its own working copy and state home. */
export function startHostDaemon(repo: string, host: string, args: string[] = []): RunningDaemon {
  const state = mkdtempSync(join(tmpdir(), `walbctl-fleet-${host}-`));
  const env = { ...process.env, XDG_STATE_HOME: state };
  const child = spawn(process.execPath, [binPath, 'daemon', '--repo', repo, '--host', host, '--workdir', join(state, 'checkout'), '--log-format', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  return collectLogs(child, env, host);
}

/**
 * A command line run as a user would (`sh -c`, exec'd so signals reach it) in `cwd`, with its own
 * state home; its JSON log lines are collected (a served host's `daemon` field names it).
 */
export function startCommandLine(line: string, cwd: string): RunningDaemon {
  const state = mkdtempSync(join(tmpdir(), 'walbctl-cmdline-'));
  const env = { ...process.env, XDG_STATE_HOME: state };
  const child = spawn('sh', ['-c', `exec ${line}`], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
  return collectLogs(child, env, 'sh');
}

function collectLogs(child: ChildProcess, env: NodeJS.ProcessEnv, host: string): RunningDaemon {
  const logs: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      try {
        logs.push({ host, ...(JSON.parse(line) as Record<string, unknown>) });
      } catch {
        logs.push({ host, msg: line });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => logs.push({ host, stderr: chunk.toString('utf8') }));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, env, logs, exited };
}

export async function stopDaemons(daemons: RunningDaemon[]): Promise<void> {
  for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGTERM');
  await Promise.all(
    daemons.map((d) =>
      Promise.race([
        d.exited,
        new Promise((r) => setTimeout(r, 15_000)).then(() => {
          if (d.child.exitCode === null) d.child.kill('SIGKILL');
        }),
      ]),
    ),
  );
}
