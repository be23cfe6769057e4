import { describe, expect, it } from 'vitest';

import type { ObservedArchive, ObservedStorage } from '../../../common/observed.js';
import { archiveLifecycle, clearSteps, storageLifecycle } from '../../../reconciler/policy/lifecycle.js';
import { archive, storage, volume } from '../plan/fixtures.js';

const kinds = (steps: { kind: string; key?: string }[]): string[] => steps.map((s) => (s.key ? `${s.kind}:${s.key}` : s.kind));
const archived = archive(0, []);
const empty: ObservedArchive = { ...archive(0, []), state: 'SyncReady' };

describe('storageLifecycle', () => {
  it.each<{ name: string; storage: ObservedStorage | undefined; local: ObservedArchive | undefined; steps: string[]; ready: boolean }>([
    { name: 'a new volume is initialised and fully backed up', storage: undefined, local: undefined, steps: ['init:storage', 'full-backup'], ready: false },
    { name: 'a Clear storage is initialised again', storage: storage({ state: 'Clear' }), local: empty, steps: ['init:storage', 'full-backup'], ready: false },
    { name: 'SyncReady with an empty archive: full backup', storage: storage({ state: 'SyncReady' }), local: empty, steps: ['full-backup'], ready: false },
    { name: 'SyncReady with an archive that holds the volume: hash backup', storage: storage({ state: 'SyncReady' }), local: archived, steps: ['hash-backup'], ready: false },
    { name: 'an overflowed log: hash backup', storage: storage({ overflow: true, capture: 'wdev' }), local: archived, steps: ['hash-backup'], ready: false },
    { name: 'a lost hash index (scan): hash backup', storage: storage({ overflow: true }), local: archived, steps: ['hash-backup'], ready: false },
    { name: 'Stopped: start', storage: storage({ state: 'Stopped' }), local: archived, steps: ['start:storage'], ready: true },
    { name: 'Target: nothing, ready for snapshots', storage: storage(), local: archived, steps: [], ready: true },
    { name: 'Standby: nothing planned', storage: storage({ state: 'Standby' }), local: archived, steps: [], ready: false },
  ])('$name', ({ storage: s, local, steps, ready }) => {
    const plan = storageLifecycle({ host: 'local', volume: volume(), storage: s, localArchive: local });
    expect(kinds(plan.steps)).toEqual(steps);
    expect(plan.ready).toBe(ready);
  });

  it('names why the write log overflowed in the hash backup it plans, when the storage says', () => {
    const plan = storageLifecycle({ host: 'local', volume: volume(), storage: storage({ overflow: true, capture: 'wdev', overflowReason: 'host-restarted' }), localArchive: archived });
    expect(plan.steps[0]).toMatchObject({ kind: 'hash-backup', reason: 'the write log overflowed (host-restarted): only a hash backup recovers' });
  });

  it('holds a backup to a primary archive on another host until that host has been observed', () => {
    const plan = storageLifecycle({ host: 'local', volume: volume({ archives: [{ host: 'vault', primary: true }] }), storage: undefined, localArchive: undefined });
    expect(plan.steps[1]).toMatchObject({ kind: 'full-backup', blocked: 'vault was not observed (no status call reached it in this plan)', params: { archive: 'vault' } });
  });

  it('warns instead of planning what it cannot do (capture change, grow, no primary archive)', () => {
    expect(storageLifecycle({ host: 'local', volume: volume({ capture: 'wdev' }), storage: storage(), localArchive: archived }).warnings[0]).toMatch(/capture is scan live but wdev declared/);
    expect(storageLifecycle({ host: 'local', volume: volume(), storage: storage({ sizeBytes: 1 << 20 }), localArchive: archived }).warnings[0]).toMatch(/growing is not planned yet/);
    expect(storageLifecycle({ host: 'local', volume: volume({ archives: [] }), storage: undefined, localArchive: undefined }).warnings[0]).toMatch(/no primary archive/);
    expect(storageLifecycle({ host: 'local', volume: volume(), storage: storage(), localArchive: empty }).warnings[0]).toMatch(/holds no base: it gets no diffs until the storage is reset/);
  });
});

describe('archiveLifecycle', () => {
  it.each<{ name: string; archive: ObservedArchive | undefined; steps: string[]; ready: boolean }>([
    { name: 'a missing archive is initialised', archive: undefined, steps: ['init:archive'], ready: false },
    { name: 'a Clear archive is initialised', archive: { ...archived, state: 'Clear' }, steps: ['init:archive'], ready: false },
    { name: 'SyncReady waits for the backup', archive: empty, steps: [], ready: false },
    { name: 'Stopped is started', archive: { ...archived, state: 'Stopped' }, steps: ['start:archive'], ready: true },
    { name: 'Archived is ready', archive: archived, steps: [], ready: true },
  ])('$name', ({ archive: a, steps, ready }) => {
    const plan = archiveLifecycle(a);
    expect(kinds(plan.steps)).toEqual(steps);
    expect(plan.ready).toBe(ready);
  });
});

describe('clearSteps', () => {
  it('stops a running storage, then clears it and the archive, both destructive', () => {
    const steps = clearSteps({ storage: storage(), archive: archived, keepStorage: false, keepArchive: false, why: 'removed' });
    expect(steps.map((s) => [s.kind, s.key, s.destructive === true])).toEqual([['stop', 'storage', false], ['clear', 'storage', true], ['clear', 'archive', true]]);
  });

  it('clears only the role the host no longer holds', () => {
    const steps = clearSteps({ storage: storage({ state: 'Stopped' }), archive: archived, keepStorage: true, keepArchive: false, why: 'moved' });
    expect(steps.map((s) => `${s.kind}:${s.key}`)).toEqual(['clear:archive']);
  });

  it('plans nothing for roles already Clear', () => {
    expect(clearSteps({ storage: storage({ state: 'Clear' }), archive: { ...archived, state: 'Clear' }, keepStorage: false, keepArchive: false, why: 'x' })).toEqual([]);
  });
});
