import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

describe('StatusStore.flush', () => {
  it('writes status.json when something besides the pass times changed, and an idle pass’s status at most once a minute', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-status-store-'));
    try {
      const file = join(dir, 'reconciler', 'status.json');
      const store = new StatusStore({ formatVersion: 1, host: 'h', lastPassAt: 'a', nextPassAt: 'b', volumes: {} } as unknown as DaemonStatus);
      store.setFile(file);
      store.volume('demo', 'h/demo');
      await store.flush();
      const first = readFileSync(file, 'utf8');
      expect(JSON.parse(first)).toMatchObject({ lastPassAt: 'a', volumes: { demo: { address: 'h/demo' } } });
      const ino = statSync(file).ino;

      // Only what every pass moves changed: not written again within the minute.
      store.status.lastPassAt = 'c';
      store.status.nextPassAt = 'd';
      store.status.volumes.demo!.lastSucceededAt = 'f';
      await store.flush();
      expect(statSync(file).ino).toBe(ino);
      expect(readFileSync(file, 'utf8')).toBe(first);

      // A change deep inside a volume is written at once (atomically: a new file).
      store.status.volumes.demo!.conditions.push({ type: 'Ready', status: 'True', reason: 'Converged', message: '', lastTransitionTime: 'e' } as never);
      await store.flush();
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ lastPassAt: 'c', volumes: { demo: { conditions: [{ type: 'Ready' }] } } });
      const ino2 = statSync(file).ino;
      expect(ino2).not.toBe(ino);

      // Changing it back is a change too.
      store.status.volumes.demo!.conditions.length = 0;
      await store.flush();
      expect(JSON.parse(readFileSync(file, 'utf8')).volumes.demo.conditions).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
