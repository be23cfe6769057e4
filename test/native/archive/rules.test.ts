import { describe, expect, it } from 'vitest';

import { excludes } from '../../../native/lib/archive/rules.js';

describe("the archive's action exclusion (as WalB's)", () => {
  it.each([
    ['restore', 'restore', true],
    ['restore', 'merge', false],
    ['apply', 'restore', true],
    ['apply', 'merge', true],
    ['apply', 'apply', true],
    ['merge', 'merge', true],
    ['merge', 'restore', false],
    ['replicate', 'restore', true],
    ['receive-diff', 'restore', false],
    ['init', 'verify', true],
    ['recover', 'restore', true],
  ] as const)('%s vs %s excluded: %s', (a, b, expected) => {
    expect(excludes(a, b)).toBe(expected);
    expect(excludes(b, a)).toBe(expected);
  });
});
