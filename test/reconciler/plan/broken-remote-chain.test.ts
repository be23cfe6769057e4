/**
 * A hole in the chain of a primary archive on another host, as its status call answered it: the
 * storage host plans the repair (a hash backup over the wire) before any snapshot, states what the
 * peer answered, and lists it as drift; a peer that answered no hole, or was unreachable, gets none.
 */
import { describe, expect, it } from 'vitest';

import type { ObservedChainHealth, ObservedPeerArchive } from '../../../common/observed.js';
import { computePlan } from '../../../reconciler/plan/compute.js';
import { desired, observed, storage, volume } from './fixtures.js';

const NOW = new Date('2026-12-05T08:00:00Z');
const AT = '2026-12-05T07:59:58Z';

const answered = (chain: ObservedChainHealth): ObservedPeerArchive => ({
  reachable: true, observedAt: AT, state: 'Archived', uuid: 'a'.repeat(32), base: { b: 0, e: 1 }, newestGid: 15, restorable: [1, 3, 5], newestAt: '2026-12-05T07:00:00Z', transfer: null,
  chain,
});

function plan(peer: ObservedPeerArchive, outboxBaseGid?: number) {
  const v = volume({ host: 'db-1', archives: [{ host: 'ar-1', primary: true }], proxies: [] });
  const s = storage({ latestGid: 15, lastSnapshotAt: '2026-12-05T05:00:00Z', ...(outboxBaseGid !== undefined ? { outboxBaseGid } : {}) });
  const o = observed({ demo: { name: 'demo', storage: s, peers: { 'ar-1': peer } } }, { host: 'db-1' });
  return computePlan(desired([v], { hosts: ['db-1', 'ar-1'] }), o, NOW).plan;
}

describe('a hole in a remote archive’s chain', () => {
  it('is repaired first by a hash backup over the wire, and no snapshot is planned', () => {
    const p = plan(answered({ contiguousTo: 5, hole: { after: 5, before: 9 }, setAside: [] }));
    expect(p.actions.filter((a) => a.kind === 'snapshot')).toEqual([]);
    const repair = p.actions.filter((a) => a.kind === 'hash-backup');
    expect(repair).toEqual([expect.objectContaining({ id: 'db-1/demo:hash-backup:repair', params: { archive: 'ar-1', repairAfterGid: 5 }, blocked: null })]);
    expect(repair[0]!.reason).toBe('ar-1 answered that its archive is missing diffs between gid 5 and gid 9; its chain runs from the base to gid 5: a hash backup over the wire repairs the chain before any snapshot');
  });

  it('names the diff the peer’s check set aside as corrupt when that made the hole', () => {
    const aside = { file: '20261205070000-MC-5-9.wdiff', from: 5, to: 9, reason: 'bad record checksum at offset 8192', at: AT };
    const p = plan(answered({ contiguousTo: 5, hole: { after: 5, before: 9 }, setAside: [aside] }));
    expect(p.actions.find((a) => a.kind === 'hash-backup')!.reason).toContain('its check set aside 20261205070000-MC-5-9.wdiff as corrupt: bad record checksum at offset 8192');
    expect(p.drift.map((d) => d.message)).toContain('ar-1 answered that its archive is missing diffs between gid 5 and gid 9 (its check set aside 20261205070000-MC-5-9.wdiff as corrupt: bad record checksum at offset 8192)');
  });

  it('lists the hole the peer answered as drift', () => {
    const p = plan(answered({ contiguousTo: 5, hole: { after: 5, before: 9 }, setAside: [] }));
    expect(p.drift).toEqual([{ address: 'db-1/demo', message: 'ar-1 answered that its archive is missing diffs between gid 5 and gid 9' }]);
  });

  it('plans the snapshot as before when the peer answered a chain without a hole', () => {
    const p = plan(answered({ contiguousTo: 15, hole: null, setAside: [] }));
    expect(p.actions.filter((a) => a.kind === 'hash-backup')).toEqual([]);
    expect(p.actions.filter((a) => a.kind === 'snapshot')).toHaveLength(1);
  });

  it('repairs diffs lost from the end of the chain: the peer’s chain ends before the gid it had acknowledged', () => {
    const p = plan(answered({ contiguousTo: 12, hole: null, setAside: [] }), 15);
    expect(p.actions.filter((a) => a.kind === 'snapshot')).toEqual([]);
    const repair = p.actions.find((a) => a.kind === 'hash-backup')!;
    expect(repair.params).toEqual({ archive: 'ar-1', repairAfterGid: 12 });
    expect(repair.reason).toBe('ar-1 answered that its chain runs from the base to gid 12, short of gid 15 it had acknowledged holding: it lost the diffs between: a hash backup over the wire repairs the chain before any snapshot');
    expect(p.drift).toEqual([{ address: 'db-1/demo', message: 'ar-1 answered that its chain ends at gid 12, short of gid 15 it had acknowledged holding' }]);
  });

  it('plans the snapshot when the peer holds at least what it acknowledged', () => {
    const p = plan(answered({ contiguousTo: 15, hole: null, setAside: [] }), 15);
    expect(p.actions.filter((a) => a.kind === 'hash-backup')).toEqual([]);
    expect(p.actions.filter((a) => a.kind === 'snapshot')).toHaveLength(1);
  });

  it('plans no repair from a peer it could not reach: the snapshot waits and names the error', () => {
    const p = plan({ reachable: false, observedAt: AT, error: 'connect ECONNREFUSED 127.0.0.52:9471' });
    expect(p.actions.filter((a) => a.kind === 'hash-backup')).toEqual([]);
    expect(p.actions.find((a) => a.kind === 'snapshot')!.blocked).toBe('ar-1 is unreachable: connect ECONNREFUSED 127.0.0.52:9471');
  });
});
