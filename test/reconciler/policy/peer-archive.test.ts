import { describe, expect, it } from 'vitest';

import type { ObservedPeerArchive } from '../../../common/observed.js';
import { storageLifecycle } from '../../../reconciler/policy/lifecycle.js';
import { describePeerArchive, peerWait } from '../../../reconciler/policy/peer-archive.js';
import { storage, volume } from '../plan/fixtures.js';

const AT = '2026-12-04T12:00:00.000Z';
const archived: ObservedPeerArchive = { reachable: true, observedAt: AT, state: 'Archived', uuid: 'a'.repeat(32), base: { b: 0, e: 1 }, newestGid: 41, restorable: [1, 41] };

describe('describePeerArchive', () => {
  it.each([
    { name: 'states the base and the newest diff the peer reported', peer: archived, want: 'ar-1 holds base |0,1| and diffs to gid 41' },
    { name: 'says a base without diffs has none', peer: { ...archived, newestGid: 1 }, want: 'ar-1 holds base |0,1|, no diffs' },
    { name: 'says a peer holding no archive of the volume is Clear', peer: { ...archived, state: 'Clear' as const, base: null, newestGid: null, restorable: [] }, want: 'ar-1 holds no archive of this volume (state Clear)' },
    { name: 'says where an unfinished full backup resumes', peer: { ...archived, state: 'SyncReady' as const, base: null, newestGid: null, restorable: [], transfer: { kind: 'full-backup', doneBytes: 4096, totalBytes: 8192 } }, want: 'ar-1 holds no base of this volume yet (state SyncReady; a full-backup stands at 4096 of 8192 bytes and resumes there)' },
    { name: 'names the error of an unreachable peer', peer: { reachable: false as const, observedAt: AT, error: 'connect ECONNREFUSED 127.0.0.12:9471' }, want: 'ar-1 is unreachable: connect ECONNREFUSED 127.0.0.12:9471' },
    { name: 'says a peer nobody asked was not observed', peer: undefined, want: 'ar-1 was not observed' },
  ])('$name', ({ peer, want }) => {
    expect(describePeerArchive('ar-1', peer)).toBe(want);
  });
});

describe('storageLifecycle with a primary archive on another host', () => {
  const remote = volume({ host: 'db-1', archives: [{ host: 'ar-1', primary: true }], proxies: [] });
  const fresh = storage({ state: 'SyncReady', latestGid: null });

  it('never says the remote archive is empty without having looked at it', () => {
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: fresh, localArchive: undefined });
    const backup = plan.steps.find((s) => s.kind === 'full-backup')!;
    expect(backup.reason).not.toMatch(/empty/);
    expect(backup.reason).toContain('ar-1 was not observed');
    expect(backup.blocked).toContain('ar-1 was not observed');
  });

  it('waits on an unreachable archive and names the peer and the error', () => {
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: fresh, localArchive: undefined, peer: { reachable: false, observedAt: AT, error: 'timed out after 3 s' } });
    expect(plan.steps[0]).toMatchObject({ kind: 'full-backup', blocked: 'ar-1 is unreachable: timed out after 3 s' });
  });

  it('chooses a hash backup when the remote archive reports a base of the volume', () => {
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: fresh, localArchive: undefined, peer: archived });
    expect(plan.steps[0]).toMatchObject({ kind: 'hash-backup', blocked: null, reason: 'ar-1 holds base |0,1| and diffs to gid 41: resynchronise by hash' });
  });

  it('waits for the archive host to initialise its side before a full backup', () => {
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: fresh, localArchive: undefined, peer: { ...archived, state: 'Clear', base: null, newestGid: null } });
    expect(plan.steps[0]!.kind).toBe('full-backup');
    expect(plan.steps[0]!.blocked).toMatch(/ar-1 has not initialised/);
  });

  it('plans a full backup into an initialised, empty remote archive', () => {
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: fresh, localArchive: undefined, peer: { ...archived, state: 'SyncReady', base: null, newestGid: null } });
    expect(plan.steps[0]).toMatchObject({ kind: 'full-backup', blocked: null });
  });
});

describe('peerWait', () => {
  it('lets a snapshot go only to an Archived peer', () => {
    expect(peerWait('ar-1', archived, 'archived')).toBeNull();
    expect(peerWait('ar-1', { ...archived, state: 'Stopped' }, 'archived')).toMatch(/Stopped, not Archived/);
  });
});
