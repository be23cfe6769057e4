/**
 * A storage host that lost its state (data directory wiped, the volume initialised anew with a new
 * uuid) against a primary archive on another host that holds the old device's history: the plan
 * says so plainly — the hash backup is blocked with a reason naming the peer and both uuids and what
 * the operator can do — instead of running into the peer's uuid-mismatch refusal.
 */
import { describe, expect, it } from 'vitest';

import type { ObservedPeerArchive } from '../../../common/observed.js';
import { storageLifecycle } from '../../../reconciler/policy/lifecycle.js';
import { storage, volume } from '../plan/fixtures.js';

const AT = '2026-12-05T08:00:00.000Z';
const OLD = 'a'.repeat(32);
const NEW = 'b'.repeat(32);
const holding: ObservedPeerArchive = { reachable: true, observedAt: AT, state: 'Archived', uuid: 'c'.repeat(32), deviceUuid: OLD, base: { b: 0, e: 1 }, newestGid: 41, restorable: [1, 41] };
const remote = volume({ name: 'pg', host: 'db-1', archives: [{ host: 'ar-1', primary: true }], proxies: [] });

describe('a storage initialised anew against an archive holding the old device’s history', () => {
  it('blocks the hash backup and names the peer, both uuids and the way out', () => {
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: storage({ state: 'SyncReady', latestGid: null, uuid: NEW }), localArchive: undefined, peer: holding });
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    expect(step).toMatchObject({ kind: 'hash-backup', reason: 'ar-1 holds base |0,1| and diffs to gid 41: resynchronise by hash' });
    expect(step.blocked).toContain(`ar-1 holds the history of device uuid ${OLD}, this host's pg is device uuid ${NEW}`);
    expect(step.blocked).toContain('uuid-mismatch');
    expect(step.blocked).toContain('walbctl archive stop pg && walbctl archive reset pg');
    expect(step.blocked).toContain('walbctl archive restore pg GID --from ar-1');
  });

  it('blocks it too before the init, which can only make a new uuid', () => {
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: undefined, localArchive: undefined, peer: holding });
    expect(plan.steps.map((s) => s.kind)).toEqual(['init', 'hash-backup']);
    expect(plan.steps[0]!.blocked ?? null).toBeNull();
    expect(plan.steps[1]!.blocked).toContain(`ar-1 holds the history of device uuid ${OLD}, this host's pg is not initialised (its init makes a new uuid)`);
  });

  it('lets the hash backup go when the archive holds this device’s history (a lost hash index)', () => {
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: storage({ state: 'SyncReady', latestGid: 41, uuid: OLD }), localArchive: undefined, peer: holding });
    expect(plan.steps[0]).toMatchObject({ kind: 'hash-backup', blocked: null });
  });

  it('lets it go when the peer does not state a device uuid (a peer before the field)', () => {
    const { deviceUuid: _, ...older } = holding as ObservedPeerArchive & { deviceUuid: string };
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: storage({ state: 'SyncReady', latestGid: null, uuid: NEW }), localArchive: undefined, peer: older });
    expect(plan.steps[0]).toMatchObject({ kind: 'hash-backup', blocked: null });
  });

  it('plans a full backup once the archive there was reset (no base: nothing to mismatch)', () => {
    const reset: ObservedPeerArchive = { ...holding, state: 'SyncReady', base: null, newestGid: null, restorable: [] };
    const plan = storageLifecycle({ host: 'db-1', volume: remote, storage: storage({ state: 'SyncReady', latestGid: null, uuid: NEW }), localArchive: undefined, peer: reset });
    expect(plan.steps[0]).toMatchObject({ kind: 'full-backup', blocked: null });
  });
});
