import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { proxyPaths } from '../../../native/lib/proxy/layout.js';
import { listQueue } from '../../../native/lib/proxy/queue.js';
import { storeBatch } from '../../../native/lib/proxy/receive.js';
import { readProxyState } from '../../../native/lib/proxy/state.js';
import { applyProxyTree } from '../../../native/lib/proxy/tree.js';
import { Forwarder } from '../../../native/lib/proxy/forwarder.js';
import { archiveWithBase, BatchSource, localSender, tempRoot } from './_fixture.js';

let t: ReturnType<typeof tempRoot>;
let px: string;
beforeEach(() => {
  t = tempRoot();
  px = join(t.dir, 'px');
});
afterEach(() => t.cleanup());

describe('the tree applied to a proxy host', () => {
  it('starts a proxied volume with its archives and delays, and a second pass changes nothing', async () => {
    const want = [{ volume: 'v', archives: [{ host: 'ar-1' }, { host: 'ar-2', delaySec: 60 }] }];
    expect((await applyProxyTree(px, want)).map((c) => `${c.kind} ${'archive' in c ? c.archive : c.volume}`)).toEqual(['add-archive ar-1', 'add-archive ar-2', 'start v']);
    const s = await readProxyState(proxyPaths(px, 'v'));
    expect(s).toMatchObject({ state: 'Started', archives: { 'ar-1': { delaySec: 0 }, 'ar-2': { delaySec: 60 } } });
    expect(await applyProxyTree(px, want)).toEqual([]);
  });

  it('drains an archive the tree dropped before it goes, and stops and clears a volume no longer proxied once drained', async () => {
    const src = new BatchSource(t.dir);
    for (const a of ['ar-1', 'ar-2']) await archiveWithBase(join(t.dir, a), 'v', src.uuid);
    await applyProxyTree(px, [{ volume: 'v', archives: [{ host: 'ar-1' }, { host: 'ar-2' }] }]);
    const b = await src.next();
    await storeBatch(px, b.meta, b.wlog, { limitBytes: 1 << 30 });
    expect(await applyProxyTree(px, [{ volume: 'v', archives: [{ host: 'ar-1' }] }])).toEqual([{ kind: 'drain-archive', volume: 'v', archive: 'ar-2' }]);
    expect(await listQueue(proxyPaths(px, 'v'), 'ar-2')).toHaveLength(1);
    expect(await applyProxyTree(px, [])).toEqual([
      { kind: 'stop', volume: 'v' },
      { kind: 'drain-archive', volume: 'v', archive: 'ar-1' },
      { kind: 'drain-archive', volume: 'v', archive: 'ar-2' },
    ]);
    const f = new Forwarder(px, { send: localSender(t.dir) });
    expect(await f.pass()).toBe(2);
    await f.pass(); // drained leaving archives are dropped
    expect(await applyProxyTree(px, [])).toEqual([{ kind: 'clear', volume: 'v' }]);
    expect(await readProxyState(proxyPaths(px, 'v'))).toBeNull();
  });

  it('the forwarder backs off a refusing archive, doubling the wait, and sends once it answers', async () => {
    const src = new BatchSource(t.dir);
    await archiveWithBase(join(t.dir, 'ar-1'), 'v', src.uuid);
    await applyProxyTree(px, [{ volume: 'v', archives: [{ host: 'ar-1' }] }]);
    const b = await src.next();
    await storeBatch(px, b.meta, b.wlog, { limitBytes: 1 << 30 });
    let up = false;
    const f = new Forwarder(px, {
      send: async (r) => {
        if (!up) throw Object.assign(new Error('busy there'), { policy: 'back-off' });
        await localSender(t.dir)(r);
      },
    });
    const t0 = 1_000_000;
    expect(await f.pass(t0)).toBe(0);
    expect(f.queues.get('v/ar-1')).toMatchObject({ last: 'back-off', nextTryAt: t0 + 1000 });
    expect(await f.pass(t0 + 1000)).toBe(0);
    expect(f.queues.get('v/ar-1')!.nextTryAt).toBe(t0 + 1000 + 2000);
    up = true;
    expect(await f.pass(t0 + 2000)).toBe(0); // still waiting
    expect(await f.pass(t0 + 3000)).toBe(1);
    expect(f.queues.get('v/ar-1')).toMatchObject({ last: 'sent', sent: 1, lastError: null });
  });
});
