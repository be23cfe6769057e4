import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { statKey } from '../../common/stat-key.js';

describe('statKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-stat-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is null for a path that does not exist or cannot be stat’ed', () => {
    expect(statKey(join(dir, 'missing'))).toBeNull();
    writeFileSync(join(dir, 'plain'), 'x');
    expect(statKey(join(dir, 'plain', 'below'))).toBeNull(); // ENOTDIR, not thrown
  });

  it('stays the same while nothing changes, and changes when a file is replaced by rename, appended to, or a folder gains a name', () => {
    const file = join(dir, 'state.json');
    writeFileSync(file, '{"a":1}');
    const first = statKey(file);
    expect(first).not.toBeNull();
    expect(statKey(file)).toBe(first);

    // Same size, same contents, replaced by rename: another inode.
    writeFileSync(`${file}.tmp`, '{"a":1}');
    renameSync(`${file}.tmp`, file);
    const replaced = statKey(file);
    expect(replaced).not.toBe(first);

    writeFileSync(file, '{"a":1}\n', { flag: 'a' });
    expect(statKey(file)).not.toBe(replaced);

    const folder = statKey(dir);
    writeFileSync(join(dir, 'new'), '');
    expect(statKey(dir)).not.toBe(folder);
  });
});
