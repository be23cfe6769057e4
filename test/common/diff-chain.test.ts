/**
 * An archive's chain health, as its status call answers it: how far the chain runs from the base,
 * the first hole, and a set-aside diff that the chain does not reach past.
 */
import { describe, expect, it } from 'vitest';

import { chainHealth } from '../../common/diff-chain.js';
import type { SetAsideDiff } from '../../common/observed.js';

const d = (b: number, e: number) => ({ b: { b, e: b }, e: { b: e, e } });
const base = { b: { b: 0, e: 1 } };
const aside = (from: number, to: number): SetAsideDiff => ({ file: `x-${from}-${to}.wdiff`, from, to, reason: 'bad checksum', at: '2026-12-05T08:00:00Z' });

describe('chainHealth', () => {
  it.each([
    { name: 'a whole chain runs to its newest gid and has no hole', diffs: [d(1, 3), d(3, 5)], setAside: [], want: { contiguousTo: 5, hole: null } },
    { name: 'a missing diff in the middle is the first hole, and the chain runs to where it starts', diffs: [d(1, 3), d(5, 7), d(7, 9)], setAside: [], want: { contiguousTo: 3, hole: { after: 3, before: 5 } } },
    { name: 'diffs listed out of order are put in chain order first', diffs: [d(5, 7), d(1, 3)], setAside: [], want: { contiguousTo: 3, hole: { after: 3, before: 5 } } },
    { name: 'a hash backup from the hole’s start past the stale diffs closes it', diffs: [d(1, 3), d(3, 10), d(5, 7), d(7, 9)], setAside: [], want: { contiguousTo: 10, hole: null } },
    { name: 'a newest diff set aside as corrupt is a hole though no later diff shows a gap', diffs: [d(1, 3)], setAside: [aside(3, 5)], want: { contiguousTo: 3, hole: { after: 3, before: 5 } } },
    { name: 'a set-aside diff the chain has since passed is no hole', diffs: [d(1, 3), d(3, 8)], setAside: [aside(3, 5)], want: { contiguousTo: 8, hole: null } },
  ])('$name', ({ diffs, setAside, want }) => {
    expect(chainHealth(base, diffs, setAside)).toEqual({ ...want, setAside });
  });
});
