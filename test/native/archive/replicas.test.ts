import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  archivePaths, confirmReplica, initArchiveVolume, observeArchive, readReplicaCursors, recordReplicaError, releaseReplica, REPLICAS_FILE,
} from '../../../native/lib/archive/index.js';

describe('replica cursors of a sending archive', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'walbctl-replicas-'));
    await initArchiveVolume(dataDir, 'pg');
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('an archive that never replicated observes no replicas', async () => {
    expect((await observeArchive(dataDir, 'pg'))!.replicas).toEqual({});
  });

  it('a confirmed replication is persisted and observed as the replica\'s cursor', async () => {
    await confirmReplica(dataDir, 'pg', 'ar-2', { gid: 40, timestamp: '2026-12-04T10:00:00Z', uuid: 'ab'.repeat(16), kind: 'diff', at: '2026-12-04T10:05:00Z' });
    expect((await observeArchive(dataDir, 'pg'))!.replicas).toEqual({
      'ar-2': { gid: 40, timestamp: '2026-12-04T10:00:00Z', replicatedAt: '2026-12-04T10:05:00Z', uuid: 'ab'.repeat(16), lastKind: 'diff', lastError: null, transfer: null },
    });
    const left = (await readdir(archivePaths(dataDir, 'pg').dir)).filter((f) => f.startsWith('.tmp-') || f === 'lock');
    expect(left).toEqual([]);
  });

  it('a failed attempt keeps the cursor where it was and records the error until the next success', async () => {
    await confirmReplica(dataDir, 'pg', 'ar-2', { gid: 40, timestamp: '2026-12-04T10:00:00Z', uuid: 'u', kind: 'full' });
    await recordReplicaError(dataDir, 'pg', 'ar-2', 'ar-2: connection refused', '2026-12-04T11:00:00Z');
    expect((await readReplicaCursors(dataDir, 'pg'))['ar-2']).toMatchObject({ gid: 40, lastError: { message: 'ar-2: connection refused', at: '2026-12-04T11:00:00Z' } });
    await confirmReplica(dataDir, 'pg', 'ar-2', { gid: 50, timestamp: '2026-12-04T11:00:00Z', uuid: 'u', kind: 'diff' });
    expect((await readReplicaCursors(dataDir, 'pg'))['ar-2']).toMatchObject({ gid: 50, lastError: null });
  });

  it('releasing a cursor forgets it and leaves the others; releasing it again changes nothing', async () => {
    await confirmReplica(dataDir, 'pg', 'ar-2', { gid: 40, timestamp: '2026-12-04T10:00:00Z', uuid: 'u', kind: 'full' });
    await confirmReplica(dataDir, 'pg', 'ar-3', { gid: 30, timestamp: '2026-12-04T09:00:00Z', uuid: 'u', kind: 'full' });
    expect(await releaseReplica(dataDir, 'pg', 'ar-2')).toBe(true);
    expect(await releaseReplica(dataDir, 'pg', 'ar-2')).toBe(false);
    expect(Object.keys(await readReplicaCursors(dataDir, 'pg'))).toEqual(['ar-3']);
  });

  it('a damaged cursor file is an error naming the file and the field', async () => {
    const file = join(archivePaths(dataDir, 'pg').dir, REPLICAS_FILE);
    await writeFile(file, JSON.stringify({ formatVersion: 1, volume: 'pg', replicas: { 'ar-2': { gid: -1, timestamp: 'x' } } }));
    await expect(readReplicaCursors(dataDir, 'pg')).rejects.toThrow(`${file}: replicas.ar-2: field "gid": expected a non-negative integer`);
    await writeFile(file, '{"replicas":');
    await expect(readReplicaCursors(dataDir, 'pg')).rejects.toThrow(/replicas\.json: not valid JSON/);
  });
});
