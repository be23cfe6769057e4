import { describe, expect, it } from 'vitest';

import type { ObservedVolume } from '../../../common/observed.js';
import { StatusStore } from '../../../reconciler/daemon/status-store.js';
import type { DaemonStatus } from '../../../reconciler/daemon/status-model.js';

describe('StatusStore.setObserved', () => {
  it('lists the restored images an operator made as not managed, and leaves out the reconciler\'s', () => {
    const store = new StatusStore({ volumes: {} } as unknown as DaemonStatus);
    const restored = (gid: number, path: string, managed: boolean) => ({ gid, path, createdAt: '2026-12-04T00:00:00Z', verified: null, managed });
    const observed = { name: 'demo', archive: { restorable: [], diffs: [], restored: [restored(3, '/tmp/r3.img', false), restored(4, '/srv/r.img', true)] } } as unknown as ObservedVolume;
    store.setObserved('demo', 'local/demo', observed);
    expect(store.status.volumes.demo!.unmanagedRestores).toEqual([{ gid: 3, path: '/tmp/r3.img' }]);
  });

  it('reports, for a volume whose archive is on another host, the newest snapshot and the count that host answered', () => {
    const store = new StatusStore({ volumes: {} } as unknown as DaemonStatus);
    const peer = (newestGid: number, restorable: number[], newestAt: string | null) => ({ reachable: true, observedAt: '2026-12-04T00:00:09Z', state: 'Archived', uuid: null, base: null, newestGid, restorable, newestAt });
    const observed = { name: 'demo', peers: { backup: peer(5, [2, 3, 5], '2026-12-04T00:00:05Z'), old: peer(3, [3], '2026-12-04T00:00:03Z'), gone: { reachable: false, observedAt: '2026-12-04T00:00:09Z', error: 'refused' } } } as unknown as ObservedVolume;
    store.setObserved('demo', 'local/demo', observed);
    expect(store.status.volumes.demo).toMatchObject({ lastSnapshot: { gid: 5, at: '2026-12-04T00:00:05Z' }, restorable: 3 });
  });
});
