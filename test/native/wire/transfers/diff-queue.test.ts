/**
 * The receiving archive's queue of diffs remembers the history each belongs to: after the archive was
 * reset and took a new full backup (another device, or the same one anew), a diff of the same span
 * is not answered `done` from the memory of one installed before, nor taken as continuing it.
 */
import { describe, expect, it } from 'vitest';

import type { DiffName } from '../../../../native/lib/archive/diff-name.js';
import { enqueue, queuedBefore, queuedSame } from '../../../../native/lib/wire/transfers/diff-queue.js';

const d = (b: number, e: number): DiffName => ({ b: { b, e: b }, e: { b: e, e }, mergeable: false, compared: false, timestamp: '2026-12-05T08:00:00Z' });
const OLD = { uuid: 'a'.repeat(32), fullBackupId: '1111111111111111' };
const NEW = { uuid: 'b'.repeat(32), fullBackupId: '2222222222222222' };

describe('the diff queue', () => {
  it('finds an installed diff only within the history it was installed in', () => {
    enqueue('/data', 'pg', d(1, 2), OLD, null).settle(true);
    expect(queuedSame('/data', 'pg', d(1, 2), OLD)?.state).toBe('installed');
    expect(queuedSame('/data', 'pg', d(1, 2), NEW)).toBeUndefined();
    expect(queuedSame('/data', 'pg', d(1, 2), { ...OLD, fullBackupId: NEW.fullBackupId })).toBeUndefined();
  });

  it('lets a diff continue an installed one only of the same history', () => {
    enqueue('/data', 'db', d(1, 2), OLD, null).settle(true);
    expect(queuedBefore('/data', 'db', d(2, 3), OLD)?.diff).toEqual(d(1, 2));
    expect(queuedBefore('/data', 'db', d(2, 3), NEW)).toBeUndefined();
  });
});
