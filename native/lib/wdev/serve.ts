/**
 * Starts the wdev's own process (walbctl-wdev serve) so that restarting the daemon never takes the
 * volume away. In the background (the default) it returns once the file is served; `foreground`
 * waits until the server exits (for a systemd unit). Before starting: the checks that name what is
 * missing (root, /dev/fuse, the executable), and clean-up of a mount left by a killed server.
 */
import { spawn } from 'node:child_process';
import { constants, openSync, closeSync, readFileSync, statSync } from 'node:fs';
import { access, readFile, rm } from 'node:fs/promises';

import { StateError } from '../../../common/errors.js';
import { wdevBinary } from './binary.js';
import { readWdevConfig } from './config.js';
import { controlRequest, type WdevStatusJson } from './control.js';
import { fromBinary, WdevUnavailableError } from './errors.js';
import { isMountPoint, run } from './system.js';
import { wdevPaths, type WdevPaths } from './paths.js';

export interface ServeOptions {
  foreground?: boolean;
  /** Keep the kernel's page cache for the file (default: direct IO, no double caching under a loop device). */
  pageCache?: boolean;
  checkpointMs?: number;
  timeoutMs?: number;
}

export interface ServeResult {
  pid: number;
  file: string;
  recoveredPacks: number;
  recoveredIos: number;
  lsid: number;
}

export async function isServing(p: WdevPaths): Promise<WdevStatusJson | null> {
  return controlRequest(p.socket, 'status', { timeoutMs: 10_000 });
}

/** Throws a WdevUnavailableError naming what a wdev needs and this host lacks. */
export async function checkPrerequisites(): Promise<void> {
  if (process.getuid?.() !== 0) throw new WdevUnavailableError('root', 'serving a wdev needs root (a FUSE mount other users and loop devices can open)');
  try {
    await access('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    throw new WdevUnavailableError('/dev/fuse', '/dev/fuse is missing or not usable: load the fuse module (modprobe fuse) or pass the device into the container');
  }
  wdevBinary();
}

/** Unmounts what a killed server left behind (the mount answers ENOTCONN). */
export async function cleanStaleMount(p: WdevPaths): Promise<void> {
  if (await isMountPoint(p.mnt)) await run('umount', ['-l', p.mnt], { allowFail: true });
}

/**
 * Detaches loop devices still pointing at the file of a server that is gone: they are bound to the
 * dead FUSE connection, so "attach" must make a new one.
 */
async function detachStaleLoops(p: WdevPaths): Promise<void> {
  const r = await run('losetup', ['--noheadings', '--output', 'NAME', '-j', p.file], { allowFail: true });
  for (const dev of r.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) await run('losetup', ['-d', dev], { allowFail: true });
  await rm(p.dev, { force: true });
}

export async function serveWdev(dataDir: string, vol: string, opts: ServeOptions = {}): Promise<ServeResult> {
  const p = wdevPaths(dataDir, vol);
  await checkPrerequisites();
  await readWdevConfig(p.config);
  const running = await isServing(p);
  if (running) throw new StateError(`volume ${vol}: already served (${p.file})`);
  await detachStaleLoops(p);
  await cleanStaleMount(p);
  await rm(p.socket, { force: true });
  const args = ['serve', '--ldev', p.ldev, '--ddev', p.ddev, '--mount', p.mnt, '--socket', p.socket,
    '--checkpoint-ms', String(opts.checkpointMs ?? 1000), ...(opts.pageCache ? ['--page-cache'] : [])];
  const logStart = sizeOf(p.log);
  const log = openSync(p.log, 'a');
  const child = spawn(wdevBinary(), args, { detached: !opts.foreground, stdio: ['ignore', 'pipe', opts.foreground ? 'inherit' : log] });
  closeSync(log);
  const ready = await new Promise<ServeResult>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new StateError(`volume ${vol}: walbctl-wdev did not become ready (see ${p.log})`)), opts.timeoutMs ?? 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, nl)) as ServeResult);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const stderr = opts.foreground ? '' : tail(p.log, logStart);
      if (/error while loading shared libraries: libfuse3/.test(logSince(p.log, logStart))) {
        reject(new WdevUnavailableError('libfuse3', 'libfuse3 is missing: apt-get install fuse3 libfuse3-3'));
        return;
      }
      reject(stderr ? fromBinary(stderr, vol) : new StateError(`volume ${vol}: walbctl-wdev exited (${signal ?? code}) before serving (see ${p.log})`));
    });
  });
  child.stdout!.destroy();
  if (opts.foreground) {
    const stop = () => child.kill('SIGTERM');
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await new Promise((resolve) => child.on('exit', resolve));
  } else {
    child.removeAllListeners('exit');
    child.unref();
  }
  return ready;
}

/** The last walbctl-wdev error line of the server's log. */
function tail(log: string, from: number): string {
  const lines = logSince(log, from).trim().split('\n');
  return lines.reverse().find((l) => l.startsWith('walbctl-wdev: ')) ?? '';
}

function logSince(log: string, from: number): string {
  try {
    return readFileSync(log).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function readLogTail(p: WdevPaths): Promise<string> {
  return (await readFile(p.log, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
}
