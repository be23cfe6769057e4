import { readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { addArchive, startVolume } from '../../../native/lib/proxy/archives.js';
import { SpoolReject } from '../../../native/lib/proxy/errors.js';
import { proxyPaths } from '../../../native/lib/proxy/layout.js';
import { listQueue } from '../../../native/lib/proxy/queue.js';
import { admitIncoming, storeBatch } from '../../../native/lib/proxy/receive.js';
import { readProxyState } from '../../../native/lib/proxy/state.js';
import { spoolUsage } from '../../../native/lib/proxy/usage.js';
import { BatchSource, tempRoot } from './_fixture.js';

const LIMIT = { limitBytes: 1 << 30 };
let t: ReturnType<typeof tempRoot>;
let data: string;
let src: BatchSource;

beforeEach(async () => {
  t = tempRoot();
  data = join(t.dir, 'px');
  src = new BatchSource(t.dir);
  await addArchive(data, 'v', { host: 'ar-1' });
  await addArchive(data, 'v', { host: 'ar-2', delaySec: 60 });
  await startVolume(data, 'v');
});
afterEach(() => t.cleanup());

describe('the proxy spool', () => {
  it('stores a batch once and queues it for every archive as hard links of one file', async () => {
    const b = await src.next();
    const r = await storeBatch(data, b.meta, b.wlog, LIMIT);
    expect(r.duplicate).toBe(false);
    const p = proxyPaths(data, 'v');
    const q1 = await listQueue(p, 'ar-1');
    const q2 = await listQueue(p, 'ar-2');
    expect(q1.map((d) => d.file)).toEqual([r.file]);
    expect(q2.map((d) => d.file)).toEqual([r.file]);
    expect(statSync(q1[0]!.path).ino).toBe(statSync(q2[0]!.path).ino);
    expect(statSync(q1[0]!.path).nlink).toBe(2);
    expect(readdirSync(p.master)).toEqual([]);
    const s = await readProxyState(p);
    expect(s!.received).toMatchObject({ lsid: b.meta.lsid.e, gid: { b: 1, e: 1 } });
    expect((await spoolUsage(data)).volumes.v).toEqual({ bytes: r.bytes, files: 1 });
  });

  it('recognises the same range sent again after a lost acknowledgement and stores nothing more', async () => {
    const b = await src.next();
    await storeBatch(data, b.meta, b.wlog, LIMIT);
    expect(await admitIncoming(data, b.meta, LIMIT)).toMatchObject({ duplicate: true });
    const again = await storeBatch(data, b.meta, b.wlog, LIMIT);
    expect(again).toMatchObject({ duplicate: true, receivedLsid: b.meta.lsid.e });
    expect(await listQueue(proxyPaths(data, 'v'), 'ar-1')).toHaveLength(1);
  });

  it('refuses a batch whose logpack data has a flipped byte, naming the file, and queues nothing', async () => {
    const b = await src.next();
    const h = await open(b.wlog, 'r+');
    await h.write(Buffer.from([0xff]), 0, 1, 4096 + 4096 + 100); // inside the first IO's data
    await h.close();
    await expect(storeBatch(data, b.meta, b.wlog, LIMIT)).rejects.toThrow(/batch-0\.wlog.*checksum/i);
    expect(await listQueue(proxyPaths(data, 'v'), 'ar-1')).toEqual([]);
    // Checked by the conversion itself: nothing of it is left, not even a temporary.
    expect(readdirSync(proxyPaths(data, 'v').master)).toEqual([]);
    expect((await readProxyState(proxyPaths(data, 'v')))!.received).toBeNull();
  });

  it('refuses a batch whose log ends before the lsid it announced, naming the byte, and leaves nothing in master/', async () => {
    const b = await src.next({ writes: 40 });
    const h = await open(b.wlog, 'r+');
    await h.truncate((await h.stat()).size - 8192); // the last logpack's data cut short
    await h.close();
    await expect(storeBatch(data, b.meta, b.wlog, LIMIT)).rejects.toThrow(new RegExp(`batch-0\\.wlog: byte \\d+.*before lsid ${b.meta.lsid.e}`));
    expect(await listQueue(proxyPaths(data, 'v'), 'ar-1')).toEqual([]);
    expect(readdirSync(proxyPaths(data, 'v').master)).toEqual([]);
  });

  it('refuses a wlog from another device than the batch announced, naming the byte of its uuid', async () => {
    const b = await src.next();
    const other = { ...b.meta, device: { ...b.meta.device, uuid: 'ab'.repeat(16) } };
    await expect(storeBatch(data, other, b.wlog, LIMIT)).rejects.toThrow(/byte 24: uuid/);
  });

  it('refuses new batches with no-space when the spool is full, naming the volume that fills it', async () => {
    const b1 = await src.next({ writes: 32 });
    const r1 = await storeBatch(data, b1.meta, b1.wlog, LIMIT);
    const b2 = await src.next();
    const limit = { limitBytes: r1.bytes + 1 };
    const e = await admitIncoming(data, b2.meta, limit).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SpoolReject);
    expect((e as SpoolReject).reject).toBe('no-space');
    expect((e as SpoolReject).message).toMatch(/v \d+\.\d MiB in 1 file/);
    await expect(storeBatch(data, b2.meta, b2.wlog, { limitBytes: r1.bytes - 1 })).rejects.toMatchObject({ reject: 'no-space' });
  });

  it('refuses batches while the volume is stopped or unknown, with typed rejects', async () => {
    const b = await src.next();
    await expect(admitIncoming(join(t.dir, 'other'), b.meta, LIMIT)).rejects.toMatchObject({ reject: 'not-found' });
    const { stopVolume } = await import('../../../native/lib/proxy/archives.js');
    await stopVolume(data, 'v');
    await expect(storeBatch(data, b.meta, b.wlog, LIMIT)).rejects.toMatchObject({ reject: 'stopped' });
  });

  it('refuses a batch of another device while diffs of the old one are queued', async () => {
    const b = await src.next();
    await storeBatch(data, b.meta, b.wlog, LIMIT);
    const fresh = new BatchSource(t.dir, 'v', 7);
    const n = await fresh.next();
    await expect(admitIncoming(data, n.meta, LIMIT)).rejects.toMatchObject({ reject: 'uuid-mismatch' });
  });
});
