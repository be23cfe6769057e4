// Direct reads (native/lib/direct-read.ts): any byte range of a file, aligned or not, reads the same
// bytes as a buffered read, short only at the end of the file; WALBCTL_NO_DIRECT_IO=1 gives the
// buffered reader; a failing read names the file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { openForDirectReads } from '../../native/lib/direct-read.js';

describe('direct reads', () => {
  const dir = mkdtempSync(join(process.env.WALBCTL_TEST_DIR ?? '/var/tmp', 'walbctl-direct-read-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = randomBytes(3 * 1024 * 1024 + 777);
  const file = join(dir, 'data.bin');
  writeFileSync(file, data);

  it('read any range as a buffered read does, into any offset of a buffer, short only at the end', async () => {
    const h = await openForDirectReads(file);
    try {
      const cases: [number, number, number][] = [
        [0, 1 << 20, 0],
        [4096, 8192, 25],
        [1, 4095, 3],
        [513, 1 << 20, 17],
        [data.length - 1000, 1000, 0],
        [data.length - 100, 4096, 11],
        [data.length, 4096, 0],
      ];
      for (const [position, length, offset] of cases) {
        const buf = Buffer.alloc(offset + length, 0xee);
        const n = await h.read(buf, offset, length, position);
        const want = data.subarray(position, position + length);
        expect(n, `bytes read at ${position}`).toBe(want.length);
        expect(buf.subarray(offset, offset + n).equals(want), `bytes at ${position}+${length} into offset ${offset}`).toBe(true);
        expect(buf.subarray(0, offset).every((b) => b === 0xee), 'nothing written before the offset').toBe(true);
        expect(buf.subarray(offset + n).every((b) => b === 0xee), 'nothing written past the bytes read').toBe(true);
      }
    } finally {
      await h.close();
    }
  });

  it('are buffered reads with WALBCTL_NO_DIRECT_IO=1, with the same bytes', async () => {
    const was = process.env.WALBCTL_NO_DIRECT_IO;
    process.env.WALBCTL_NO_DIRECT_IO = '1';
    try {
      const h = await openForDirectReads(file);
      expect(h.direct).toBe(false);
      const buf = Buffer.alloc(5000);
      expect(await h.read(buf, 0, 5000, 1234)).toBe(5000);
      expect(buf.equals(data.subarray(1234, 6234))).toBe(true);
      await h.close();
    } finally {
      if (was === undefined) delete process.env.WALBCTL_NO_DIRECT_IO;
      else process.env.WALBCTL_NO_DIRECT_IO = was;
    }
  });

  it('refuse a range outside the buffer, and name the file when it is missing', async () => {
    const h = await openForDirectReads(file);
    try {
      await expect(async () => h.read(Buffer.alloc(10), 5, 10, 0)).rejects.toThrow(/outside the buffer/);
    } finally {
      await h.close();
    }
    await expect(openForDirectReads(join(dir, 'missing.bin'))).rejects.toThrow(/missing\.bin/);
  });
});
