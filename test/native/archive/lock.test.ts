import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { withLock } from '../../../native/lib/archive/lock.js';
import { projectRoot } from '../../helpers/cli.js';

describe("an archive volume's metadata lock", () => {
  it('is never held by two processes at once: 4 processes x 300 attempts with holders killed while holding give zero overlaps', { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [join(projectRoot, 'scripts/lock-race.mjs'), '--kind', 'archive', '--procs', '4', '--attempts', '300', '--crashers', '5', '--json'], { encoding: 'utf8', timeout: 110_000 });
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { held: number; overlaps: number; killed: number; failures: string[] };
    expect(result.failures).toEqual([]);
    expect(result.held).toBe(1200 + result.killed);
    expect(result.killed).toBe(5);
    expect(result.overlaps).toBe(0);
    expect(r.status).toBe(0);
  });

  it('names its holder in the file while held and leaves no file behind', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'walbctl-alock-')), 'lock');
    const seen = await withLock(path, async () => JSON.parse(readFileSync(path, 'utf8')) as { pid: number; operation: string }, { volume: 'v', operation: 'merge' });
    expect(seen).toMatchObject({ pid: process.pid, operation: 'merge' });
    expect(existsSync(path)).toBe(false);
  });

  it('makes a second holder in the same process wait until the first lets go', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'walbctl-alock-')), 'lock');
    const order: string[] = [];
    let release!: () => void;
    const first = withLock(path, () => new Promise<void>((r) => ((release = r), order.push('first in'))), { volume: 'v', operation: 'a' });
    await new Promise((r) => setTimeout(r, 20));
    const second = withLock(path, async () => void order.push('second in'), { volume: 'v', operation: 'b' });
    await new Promise((r) => setTimeout(r, 50));
    order.push('first out');
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });
});
