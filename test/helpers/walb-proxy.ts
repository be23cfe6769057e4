/**
 * WalB's real walb-proxy for tests: where its binaries are (../shared/walb-tools/bin), why a test that
 * needs them is skipped here, and a walb-proxy started on a free loopback port picked at run time.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { proxy } from '../../reconciler/drivers/walb/proxy.js';
import type { WalbcOptions, WalbServer } from '../../reconciler/drivers/walb/walbc.js';
import { sharedDir } from './cli.js';

export const walbBin = join(sharedDir, 'walb-tools/bin');
export const walbcBin = join(walbBin, 'walbc');

/** Why WalB's binaries cannot be used here, or '' when they can. */
export const walbSkipReason = ((): string => {
  const probe = spawnSync(walbcBin, ['-h'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `WalB's walbc does not run from ${walbBin}: ${probe.error.message}`;
  if (!/walb server controller/.test(`${probe.stdout}${probe.stderr}`)) return `WalB's walbc fails here (exit ${probe.status}): ${probe.stderr.trim().split('\n')[0]}`;
  return '';
})();

export const walbcOptions: WalbcOptions = { binary: walbcBin, timeoutMs: 10_000 };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface RunningWalbProxy {
  child: ChildProcess;
  server: WalbServer;
  /** SIGTERM, and waits (up to 10 s) for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts walb-proxy (node id `p0`) with its base directory `dir/base`, on a free port; another process
 * may take the port first, so up to 5 tries, each waiting up to 5 s for `walbc status` to answer.
 */
export async function startWalbProxy(dir: string, options: { port?: number } = {}): Promise<RunningWalbProxy> {
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn(join(walbBin, 'walb-proxy'), ['-b', join(dir, 'base'), '-l', join(dir, `proxy-${port}-${attempt}.log`), '-p', String(port), '-id', 'p0', '-fg', '2', '-bg', '1'], { stdio: 'ignore' });
    let exited = false;
    const exit = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
    const server = { address: '127.0.0.1', port };
    for (let i = 0; i < 50 && !exited; i++) {
      if (await proxy.status(server, { ...walbcOptions, timeoutMs: 2_000 }).then(() => true, () => false)) {
        return {
          child, server,
          async stop() {
            if (!exited) child.kill('SIGTERM');
            await Promise.race([exit, new Promise((r) => setTimeout(r, 10_000))]);
            if (!exited) child.kill('SIGKILL');
          },
        };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
  }
  throw new Error('walb-proxy did not answer on any of 5 ports');
}
