import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { HostLockedError, LockMismatchError } from '../../../reconciler/apply/errors.js';
import { acquireHostLock, forceUnlock, readLock } from '../../../reconciler/apply/lock.js';
import { statePaths } from '../../../reconciler/apply/state-paths.js';
import { projectRoot } from '../../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'walbctl-lock-'));

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the host lock', () => {
  it('records id, operation, who, pid and since in a file in the data directory', async () => {
    const dir = tmp();
    const lock = await acquireHostLock(dir, { host: 'local', operation: 'apply', now: () => new Date('2026-11-21T10:00:00Z') });
    const onDisk = JSON.parse(readFileSync(statePaths(dir).lock, 'utf8'));
    expect(onDisk).toMatchObject({ id: lock.info.id, operation: 'apply', pid: process.pid, since: '2026-11-21T10:00:00.000Z', machine: hostname() });
    expect(onDisk.who).toMatch(/@/);
    await lock.release();
    expect(await readLock(dir)).toBeNull();
  });

  it('refuses a second holder with a message naming the first one and the unlock command', async () => {
    const dir = tmp();
    const first = await acquireHostLock(dir, { host: 'local', operation: 'daemon' });
    const error = await acquireHostLock(dir, { host: 'local', operation: 'apply' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostLockedError);
    expect((error as HostLockedError).retryable).toBe(true);
    expect((error as Error).message).toContain(`ID ${first.info.id}, operation "daemon"`);
    expect((error as Error).message).toContain(`walbctl unlock ${first.info.id}`);
  });

  it('takes over a lock whose pid is dead on this machine', async () => {
    const dir = tmp();
    mkdirSync(statePaths(dir).dir, { recursive: true });
    const stale = { id: 'stale-id', operation: 'apply', who: 'x@y', pid: deadPid(), machine: hostname(), since: '2026-01-01T00:00:00.000Z' };
    writeFileSync(statePaths(dir).lock, JSON.stringify(stale));
    const lock = await acquireHostLock(dir, { host: 'local', operation: 'apply' });
    expect(lock.tookOverFrom).toMatchObject({ id: 'stale-id' });
    expect((await readLock(dir))?.id).toBe(lock.info.id);
  });

  it('does not take over a lock held by a pid on another machine, however dead it looks here', async () => {
    const dir = tmp();
    mkdirSync(statePaths(dir).dir, { recursive: true });
    writeFileSync(statePaths(dir).lock, JSON.stringify({ id: 'remote', operation: 'apply', who: 'x@elsewhere', pid: deadPid(), machine: 'elsewhere', since: '2026-01-01T00:00:00.000Z' }));
    await expect(acquireHostLock(dir, { host: 'local', operation: 'apply' })).rejects.toBeInstanceOf(HostLockedError);
  });

  it('is removed by unlock with the holder\'s id, and unlock with another id says who holds it', async () => {
    const dir = tmp();
    const lock = await acquireHostLock(dir, { host: 'local', operation: 'apply' });
    await expect(forceUnlock(dir, 'nope')).rejects.toBeInstanceOf(LockMismatchError);
    await expect(forceUnlock(dir, 'nope')).rejects.toThrow(lock.info.id);
    expect((await forceUnlock(dir, lock.info.id)).id).toBe(lock.info.id);
    expect(await readLock(dir)).toBeNull();
    await lock.release();
  });

  it('is never held by two processes at once: 4 processes x 300 attempts with holders killed while holding give zero overlaps', { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [join(projectRoot, 'scripts/lock-race.mjs'), '--kind', 'host', '--procs', '4', '--attempts', '300', '--crashers', '5', '--json'], { encoding: 'utf8', timeout: 110_000 });
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { held: number; overlaps: number; killed: number; failures: string[] };
    expect(result.failures).toEqual([]);
    expect(result.held).toBeGreaterThan(100);
    expect(result.killed).toBeGreaterThan(0);
    expect(result.overlaps).toBe(0);
    expect(r.status).toBe(0);
  });
});
