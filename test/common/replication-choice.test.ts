import { describe, expect, it } from 'vitest';

import type { ObservedDiff } from '../../common/observed.js';
import { chooseReplication, mergeBatches, type ReplicationSource } from '../../common/replication-choice.js';

/** A diff |b|-->|e| of `size` bytes; `nm` clears its mergeable flag, `cmp` marks it compared (a hash backup's). */
function diff(b: number, e: number, size = 10, nm = false, cmp = false): ObservedDiff {
  return { b: { b, e: b }, e: { b: e, e }, mergeable: !nm, compared: cmp, timestamp: '2026-12-04T00:00:00Z', dataSize: size, file: `${b}-${e}` };
}

function source(base: number, diffs: ObservedDiff[], uuid = 'aa'): ReplicationSource {
  return { uuid, base: { b: { b: base, e: base } }, diffs };
}

const chain = [diff(0, 10), diff(10, 20), diff(20, 30), diff(30, 40)];

describe('chooseReplication: full, diff or hash, as WalB archive chooses', () => {
  it.each([
    { name: 'a target that holds nothing gets a full replication', src: source(0, chain), target: null, want: { kind: 'full', why: 'target-empty', toGid: 40 } },
    { name: 'a target of another lineage gets a full replication', src: source(0, chain), target: { uuid: 'bb', gid: 20 }, want: { kind: 'full', why: 'other-lineage', toGid: 40 } },
    { name: 'a target at the newest snapshot needs nothing', src: source(0, chain), target: { uuid: 'aa', gid: 40 }, want: { kind: 'none', why: 'up-to-date', toGid: 40 } },
    { name: 'a target ahead of the source is left alone', src: source(0, chain), target: { uuid: 'aa', gid: 50 }, want: { kind: 'none', why: 'target-ahead', toGid: 40 } },
    { name: 'a source with no clean snapshot sends nothing', src: { uuid: 'aa', base: { b: { b: 0, e: 3 } }, diffs: [] }, target: null, want: { kind: 'none', why: 'source-empty', toGid: null } },
    { name: 'a source that applied past the target gid sends a hash replication', src: source(30, [diff(30, 40)]), target: { uuid: 'aa', gid: 20 }, want: { kind: 'hash', why: 'applied-past', fromGid: 20, toGid: 40 } },
    { name: 'a source that merged across the target gid sends the merged diff, which applies there (WalB\'s relation)', src: source(0, [diff(0, 30), diff(30, 40)]), target: { uuid: 'aa', gid: 20 }, want: { kind: 'diff', fromGid: 20, toGid: 40, bytes: 20, path: [0, 1], batches: [{ from: 0, to: 1, gidB: 0, gidE: 40, bytes: 20 }] } },
    { name: 'a compared diff across the target gid applies only where it was made: a hash replication', src: source(0, [diff(0, 30, 10, false, true), diff(30, 40)]), target: { uuid: 'aa', gid: 20 }, want: { kind: 'hash', why: 'merged-past', fromGid: 20, toGid: 40 } },
    { name: 'of two diffs applicable at the target gid the one that goes further is sent, and the one it passes is not', src: source(0, [diff(0, 10), diff(5, 30), diff(10, 20), diff(30, 40)]), target: { uuid: 'aa', gid: 10 }, want: { kind: 'diff', fromGid: 10, toGid: 40, bytes: 20, path: [1, 3], batches: [{ from: 0, to: 1, gidB: 5, gidE: 40 }] } },
    { name: 'a gap after the target gid means a hash replication', src: source(0, [diff(0, 10), diff(10, 20), diff(25, 40)]), target: { uuid: 'aa', gid: 10 }, want: { kind: 'hash', why: 'gap', fromGid: 10, toGid: 40 } },
    { name: 'a diff applicable at the target gid that ends past the newest clean snapshot is passed over for the chain to it', src: source(0, [diff(0, 10), diff(10, 20), { ...diff(10, 25), e: { b: 25, e: 27 } }]), target: { uuid: 'aa', gid: 10 }, want: { kind: 'diff', fromGid: 10, toGid: 20, path: [1] } },
    { name: 'a target at the base gets every diff', src: source(0, chain), target: { uuid: 'aa', gid: 0 }, want: { kind: 'diff', fromGid: 0, toGid: 40, bytes: 40 } },
  ])('$name', ({ src, target, want }) => {
    expect(chooseReplication(src, target, { maxMergeBytes: 1000 })).toMatchObject(want);
  });

  it.each([
    { name: 'diffs under the limit travel merged as one', limit: 1000, barriers: [], batches: [[10, 40]] },
    { name: 'the merge limit splits the diffs into batches', limit: 20, barriers: [], batches: [[10, 30], [30, 40]] },
    { name: 'a diff larger than the limit goes alone', limit: 5, barriers: [], batches: [[10, 20], [20, 30], [30, 40]] },
    { name: 'a barrier snapshot is never merged across in transfer', limit: 1000, barriers: [30], batches: [[10, 30], [30, 40]] },
  ])('$name', ({ limit, barriers, batches }) => {
    const choice = chooseReplication(source(0, chain), { uuid: 'aa', gid: 10 }, { maxMergeBytes: limit, barriers: new Set(barriers) });
    expect(choice.kind).toBe('diff');
    if (choice.kind !== 'diff') return;
    expect(choice.batches.map((b) => [b.gidB, b.gidE])).toEqual(batches);
    expect(choice.bytes).toBe(30);
  });

  it('a diff that is not mergeable starts a new batch', () => {
    const src = source(0, [diff(0, 10), diff(10, 20), diff(20, 30, 10, true)]);
    const choice = chooseReplication(src, { uuid: 'aa', gid: 0 }, { maxMergeBytes: 1000 });
    expect(choice.kind === 'diff' && choice.batches.map((b) => [b.gidB, b.gidE])).toEqual([[0, 20], [20, 30]]);
  });

  it('a compared diff (a hash backup\'s) is never merged in transfer, before or after it', () => {
    const src = source(0, [diff(0, 10), diff(10, 20, 10, false, true), diff(20, 30), diff(30, 40)]);
    const choice = chooseReplication(src, { uuid: 'aa', gid: 0 }, { maxMergeBytes: 1000 });
    expect(choice.kind === 'diff' && choice.batches.map((b) => [b.gidB, b.gidE])).toEqual([[0, 10], [10, 20], [20, 40]]);
  });

  it('the count limit bounds how many diffs one merged batch takes', () => {
    const many = Array.from({ length: 7 }, (_, i) => diff(i * 10, i * 10 + 10));
    const choice = chooseReplication(source(0, many), { uuid: 'aa', gid: 0 }, { maxMergeBytes: 1000, maxMergeCount: 3 });
    expect(choice.kind === 'diff' && choice.batches.map((b) => [b.gidB, b.gidE])).toEqual([[0, 30], [30, 60], [60, 70]]);
  });

  it('mergeBatches splits a run as the choice does', () => {
    expect(mergeBatches(chain, { maxMergeBytes: 20 }).map((b) => [b.from, b.to])).toEqual([[0, 1], [2, 3]]);
    expect(mergeBatches([], { maxMergeBytes: 20 })).toEqual([]);
  });

  it('a dirty newest diff end is not sent: the target goes to the newest clean snapshot', () => {
    const src = source(0, [diff(0, 10), diff(10, 20), { ...diff(20, 30), e: { b: 30, e: 33 } }]);
    expect(chooseReplication(src, { uuid: 'aa', gid: 0 }, { maxMergeBytes: 1000 })).toMatchObject({ kind: 'diff', toGid: 20, bytes: 20 });
  });
});
