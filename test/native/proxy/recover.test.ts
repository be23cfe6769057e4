import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { tempPathFor } from '../../../common/atomic-write.js';
import { convertWlog } from '../../../native/lib/wlog.js';
import { addArchive, startVolume } from '../../../native/lib/proxy/archives.js';
import { proxyPaths, spoolName } from '../../../native/lib/proxy/layout.js';
import { listQueue } from '../../../native/lib/proxy/queue.js';
import { storeBatch } from '../../../native/lib/proxy/receive.js';
import { recoverSpool } from '../../../native/lib/proxy/recover.js';
import { readProxyState, writeProxyState } from '../../../native/lib/proxy/state.js';
import { BatchSource, tempRoot } from './_fixture.js';

let t: ReturnType<typeof tempRoot>;
let px: string;

beforeEach(async () => {
  t = tempRoot();
  px = join(t.dir, 'px');
  await addArchive(px, 'v', { host: 'ar-1' });
  await addArchive(px, 'v', { host: 'ar-2' });
  await startVolume(px, 'v');
});
afterEach(() => t.cleanup());

describe('the proxy after a crash', () => {
  it('rolls a converted batch that was never acknowledged into every queue, and its resend is a duplicate', async () => {
    const src = new BatchSource(t.dir);
    const b = await src.next();
    const p = proxyPaths(px, 'v');
    // The state a kill -9 leaves between the rename into master/ and the state write.
    // storeBatch records the device before it converts.
    const s = (await readProxyState(p))!;
    await writeProxyState(p, { ...s, device: b.meta.device });
    mkdirSync(p.master, { recursive: true });
    await convertWlog([b.wlog], join(p.master, spoolName(b.meta)));
    writeFileSync(join(p.master, '.tmp-x.wdiff.999999999.0badcafe'), 'half');
    // A state write killed before its rename leaves its temp beside volume.json.
    writeFileSync(join(p.dir, basename(tempPathFor(p.state)).replace(`.${process.pid}.`, '.999999999.')), '{"half');
    const r = await recoverSpool(px);
    expect(r).toEqual([{ volume: 'v', rolledForward: [spoolName(b.meta)], tempsRemoved: 2 }]);
    expect(readdirSync(p.master)).toEqual([]);
    expect(readdirSync(p.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    for (const a of ['ar-1', 'ar-2']) expect((await listQueue(p, a)).map((q) => q.file)).toEqual([spoolName(b.meta)]);
    expect((await readProxyState(p))!.received?.lsid).toBe(b.meta.lsid.e);
    expect(await storeBatch(px, b.meta, b.wlog, { limitBytes: 1 << 30 })).toMatchObject({ duplicate: true });
    expect(await listQueue(p, 'ar-1')).toHaveLength(1);
  });
});
