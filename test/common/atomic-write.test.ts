/**
 * Crash-safe replacement of a file: the temporary name beside the target, the write, and what a
 * failed write leaves (the old file, and no temporary file).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { atomicProduce, atomicWriteFile, tempOwner, tempPathFor } from '../../common/atomic-write.js';

describe('atomic writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'walbctl-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names each temporary file beside its target, distinct within the process, and starting with .tmp-', () => {
    const target = join(dir, 'meta.json');
    const names = Array.from({ length: 1000 }, () => tempPathFor(target));
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(dirname(n)).toBe(dir);
      expect(basename(n)).toMatch(new RegExp(`^\\.tmp-meta\\.json\\.${process.pid}\\.[0-9a-f]{8}$`));
    }
  });

  it('names temporary files so that recovery knows their maker: tempOwner gives this process for every name made here', () => {
    for (let i = 0; i < 5000; i++) expect(tempOwner(basename(tempPathFor(join(dir, `f${i % 7}.json`))))).toBe(process.pid);
    // What the builds between b90cbdb and this fix wrote (a base-36 counter before 8 hex digits) is
    // recognised too, so recovery removes what they left; names that are not temp names are not.
    expect(tempOwner('.tmp-meta.json.5975.2e6594559')).toBe(5975);
    expect(tempOwner('.tmp-base.img.31.0badcafe')).toBe(31);
    for (const n of ['meta.json', '.tmp-meta.json', '.tmp-meta.json.12', '.tmp-meta.json.12.abc', 'x.tmp-a.1.0badcafe']) expect(tempOwner(n)).toBe(null);
  });

  it('replaces the target with the new bytes and leaves no temporary file', async () => {
    const target = join(dir, 'state.json');
    writeFileSync(target, 'old');
    await atomicWriteFile(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('leaves the old target and no temporary file when the producer fails', async () => {
    const target = join(dir, 'out.wdiff');
    writeFileSync(target, 'old');
    await expect(
      atomicProduce(target, async (tmp) => {
        writeFileSync(tmp, 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.wdiff']);
  });
});
