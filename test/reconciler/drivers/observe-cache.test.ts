import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ObserveCache } from '../../../reconciler/drivers/native/observe-cache.js';

describe('the observation cache', () => {
  it('reads a folder again only when a file in it was added, renamed over or removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-cache-'));
    const cache = new ObserveCache<number>();
    let reads = 0;
    const read = async () => ++reads;
    expect(await cache.get(dir, read, () => true)).toBe(1);
    expect(await cache.get(dir, read, () => true)).toBe(1);
    await new Promise((r) => setTimeout(r, 5));
    writeFileSync(join(dir, '.tmp-meta'), '{}');
    renameSync(join(dir, '.tmp-meta'), join(dir, 'meta.json'));
    expect(await cache.get(dir, read, () => true)).toBe(2);
    expect(await cache.get(dir, read, () => true)).toBe(2);
  });

  it('never keeps a value it is told not to reuse (a volume with a running action)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-cache-'));
    const cache = new ObserveCache<number>();
    let reads = 0;
    const read = async () => ++reads;
    await cache.get(dir, read, () => false);
    expect(await cache.get(dir, read, () => false)).toBe(2);
  });

  it('treats a missing folder as a state of its own', async () => {
    const cache = new ObserveCache<string>();
    expect(await cache.get(join(tmpdir(), 'walbctl-no-such-dir'), async () => undefined, () => true)).toBeUndefined();
  });
});
