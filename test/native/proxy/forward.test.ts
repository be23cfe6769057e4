import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { listDiffFiles } from '../../../native/lib/archive/volume.js';
import { archivePaths } from '../../../native/lib/archive/layout.js';
import { addArchive, removeArchive, startVolume } from '../../../native/lib/proxy/archives.js';
import { forwardOnce, type Sender } from '../../../native/lib/proxy/forward.js';
import { proxyPaths } from '../../../native/lib/proxy/layout.js';
import { listQueue } from '../../../native/lib/proxy/queue.js';
import { storeBatch } from '../../../native/lib/proxy/receive.js';
import { readProxyState } from '../../../native/lib/proxy/state.js';
import { archiveWithBase, BatchSource, localSender, restoredSha, tempRoot } from './_fixture.js';

const LIMIT = { limitBytes: 1 << 30 };
let t: ReturnType<typeof tempRoot>;
let px: string;
let src: BatchSource;

beforeEach(async () => {
  t = tempRoot();
  px = join(t.dir, 'px');
  src = new BatchSource(t.dir);
  for (const a of ['ar-1', 'ar-2']) {
    await archiveWithBase(join(t.dir, a), 'v', src.uuid);
    await addArchive(px, 'v', { host: a });
  }
  await startVolume(px, 'v');
});
afterEach(() => t.cleanup());

async function ship(n: number, explicitAt: number[] = []): Promise<void> {
  for (let i = 0; i < n; i++) {
    const b = await src.next({ explicit: explicitAt.includes(src.gid + 1) });
    await storeBatch(px, b.meta, b.wlog, LIMIT);
  }
}

async function drain(archive: string, send: Sender = localSender(t.dir)): Promise<number> {
  let transfers = 0;
  for (;;) {
    const r = await forwardOnce(px, 'v', archive, send);
    if (r.kind !== 'sent') return transfers;
    transfers++;
  }
}

describe('forwarding the spool to archives', () => {
  it('merges queued diffs, keeps explicit snapshots, and every restorable gid restores to the image the device had', async () => {
    await ship(6, [3]);
    expect(await drain('ar-1')).toBe(2); // |0|-->|3| and |3|-->|6|: gid 3 is explicit
    expect(await drain('ar-2')).toBe(2);
    for (const a of ['ar-1', 'ar-2']) {
      const names = (await listDiffFiles(archivePaths(join(t.dir, a), 'v'))).map((d) => [d.b.b, d.e.b]);
      expect(names).toEqual([[0, 3], [3, 6]]);
      for (const gid of [3, 6]) expect(await restoredSha(join(t.dir, a), 'v', gid, join(t.dir, `${a}-${gid}.img`))).toBe(src.shaAt.get(gid));
    }
    expect(await listQueue(proxyPaths(px, 'v'), 'ar-1')).toEqual([]);
  });

  it('holds diffs in a delayed queue until the delay has passed', async () => {
    await addArchive(px, 'v', { host: 'ar-2', delaySec: 30 });
    await ship(1);
    expect(await forwardOnce(px, 'v', 'ar-2', localSender(t.dir))).toMatchObject({ kind: 'delayed' });
    const later = Date.now() + 31_000;
    expect(await forwardOnce(px, 'v', 'ar-2', localSender(t.dir), { nowMs: later })).toMatchObject({ kind: 'sent', diffs: 1 });
  });

  it('acts on each reject by the policy the error carries: drop, back off, stop and report', async () => {
    await ship(1);
    const refuse = (policy: string, reject: string): Sender => async () => {
      throw Object.assign(new Error(`${reject} here`), { policy, reject });
    };
    expect(await forwardOnce(px, 'v', 'ar-1', refuse('back-off', 'busy'))).toMatchObject({ kind: 'back-off' });
    expect(await forwardOnce(px, 'v', 'ar-1', async () => { throw new Error('connect ECONNREFUSED'); })).toMatchObject({ kind: 'back-off' });
    expect(await listQueue(proxyPaths(px, 'v'), 'ar-1')).toHaveLength(1);
    expect(await forwardOnce(px, 'v', 'ar-1', refuse('stop-and-report', 'size-mismatch'))).toMatchObject({ kind: 'halted' });
    expect((await readProxyState(proxyPaths(px, 'v')))!.archives['ar-1']!.halted).toMatchObject({ reject: 'size-mismatch' });
    expect(await forwardOnce(px, 'v', 'ar-1', localSender(t.dir))).toMatchObject({ kind: 'halted' });
    expect(await listQueue(proxyPaths(px, 'v'), 'ar-1')).toHaveLength(1);
    expect(await forwardOnce(px, 'v', 'ar-2', refuse('drop', 'too-old'))).toMatchObject({ kind: 'dropped', diffs: 1 });
    expect(await listQueue(proxyPaths(px, 'v'), 'ar-2')).toEqual([]);
  });

  it('a diff the archive holds already is sent again without harm (a lost acknowledgement on the archive side)', async () => {
    await ship(2);
    const q = await listQueue(proxyPaths(px, 'v'), 'ar-1');
    await localSender(t.dir)({ volume: 'v', archive: 'ar-1', uuid: '', file: q[0]!.path, diff: q[0]!.diff, explicitEnd: false });
    expect(await drain('ar-1')).toBe(1);
    expect(await restoredSha(join(t.dir, 'ar-1'), 'v', 2, join(t.dir, 'r2.img'))).toBe(src.shaAt.get(2));
  });

  it('an archive removed from the tree is drained before its queue goes', async () => {
    await ship(2);
    expect(await removeArchive(px, 'v', 'ar-2')).toBe('draining');
    await ship(1); // new batches no longer go to a leaving archive
    expect(await listQueue(proxyPaths(px, 'v'), 'ar-2')).toHaveLength(2);
    expect(await drain('ar-2')).toBe(1);
    await forwardOnce(px, 'v', 'ar-2', localSender(t.dir));
    expect(Object.keys((await readProxyState(proxyPaths(px, 'v')))!.archives)).toEqual(['ar-1']);
    expect(await restoredSha(join(t.dir, 'ar-2'), 'v', 2, join(t.dir, 'r.img'))).toBe(src.shaAt.get(2));
  });
});

describe('what a proxy reports', () => {
  it('per archive: the diffs waiting, the newest archived lsid and gid, and the recovery point', async () => {
    const { observeProxy } = await import('../../../native/lib/proxy/observe.js');
    await ship(2);
    await drain('ar-1');
    await ship(1);
    const v = (await observeProxy(px, 1 << 30)).volumes[0]!;
    expect(v).toMatchObject({ volume: 'v', state: 'Started', receivedLsid: src.lsid, receivedGid: { b: 3, e: 3 } });
    const [a1, a2] = v.queues;
    expect(a1).toMatchObject({ archive: 'ar-1', diffs: 1, archivedGid: 2, from: { b: 2, e: 2 }, to: { b: 3, e: 3 } });
    expect(a1!.recoveryPointSec).toBeGreaterThanOrEqual(0);
    expect(a2).toMatchObject({ archive: 'ar-2', diffs: 3, archivedGid: null, archivedLsid: null });
    // Asked for one volume, the same view of it; of a volume it does not spool, none.
    // (recoveryPointSec is "now" less a time: it moves between the two calls.)
    const still = (x: typeof v) => ({ ...x, queues: x.queues.map(({ recoveryPointSec: _r, ...q }) => q) });
    expect((await observeProxy(px, 1 << 30, { volume: 'v' })).volumes.map(still)).toEqual([still(v)]);
    expect((await observeProxy(px, 1 << 30, { volume: 'other' })).volumes).toEqual([]);
    await drain('ar-1');
    expect((await observeProxy(px, 1 << 30)).volumes[0]!.queues[0]).toMatchObject({ diffs: 0, archivedLsid: src.lsid, recoveryPointSec: 0 });
  });
});
