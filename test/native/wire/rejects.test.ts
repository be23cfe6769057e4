/**
 * THE reject table: each typed reject has exactly one sender policy. The test is the table: a
 * change of policy is a change here, made on purpose.
 */
import { describe, expect, it } from 'vitest';

import { REJECT_CODES, REJECT_POLICY, WireReject } from '../../../native/lib/wire/index.js';

const expected = {
  'too-old': 'drop',
  'too-new': 'back-off',
  'uuid-mismatch': 'fall-back-to-hash-backup',
  'base-moved': 'fall-back-to-hash-backup',
  stopped: 'back-off',
  busy: 'back-off',
  'no-space': 'stop-and-report',
  'size-mismatch': 'stop-and-report',
  'not-authorized': 'stop-and-report',
  'not-found': 'stop-and-report',
  'wrong-state': 'stop-and-report',
  corrupt: 'stop-and-report',
  'version-unsupported': 'stop-and-report',
  'unknown-kind': 'stop-and-report',
  'digest-mismatch': 'back-off',
  internal: 'back-off',
};

describe('the reject policy table', () => {
  it('maps every reject to exactly the policy the spec names', () => {
    expect(REJECT_POLICY).toEqual(expected);
    expect(REJECT_CODES.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [code, policy] of Object.entries(expected)) {
    it(`gives a ${code} reject the policy ${policy}, retryable only when it backs off`, () => {
      const e = new WireReject(code as keyof typeof expected, 'detail', { host: 'ar-1', address: '127.0.0.12:1' });
      expect(e.policy).toBe(policy);
      expect(e.retryable).toBe(policy === 'back-off');
      expect(e.message).toBe(`peer ar-1 (127.0.0.12:1) refused: ${code}: detail`);
    });
  }
});
