import { describe, expect, it } from 'vitest';

import type { ObservedPeerArchive, ObservedStorage } from '../../../common/observed.js';
import { lastSnapshotTime } from '../../../reconciler/plan/snapshot.js';

const storage = { latestGid: 3 } as ObservedStorage;
const peer = (newestAt: string | null): ObservedPeerArchive => ({ reachable: true, observedAt: '2026-12-04T20:00:10Z', state: 'Archived', uuid: null, base: { b: 0, e: 1 }, newestGid: 3, restorable: [1, 3], newestAt });

describe('when the last snapshot was taken, for the schedule', () => {
  it('is, with the primary archive on another host, the newest restorable snapshot its status call named (not "never", which snapshotted every pass)', () => {
    expect(lastSnapshotTime(storage, undefined, peer('2026-12-04T20:00:00Z'))).toBe(Date.parse('2026-12-04T20:00:00Z'));
  });

  it('is unknown when the peer named none or did not answer', () => {
    expect(lastSnapshotTime(storage, undefined, peer(null))).toBeNull();
    expect(lastSnapshotTime(storage, undefined, { reachable: false, observedAt: '2026-12-04T20:00:10Z', error: 'refused' })).toBeNull();
  });

  it('is the storage\'s own word first', () => {
    expect(lastSnapshotTime({ ...storage, lastSnapshotAt: '2026-12-04T19:00:00Z' }, undefined, peer('2026-12-04T20:00:00Z'))).toBe(Date.parse('2026-12-04T19:00:00Z'));
  });
});
