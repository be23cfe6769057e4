/**
 * The typed rejects a receiver may answer, and THE table of what the sender does about each one.
 * Every code has exactly one policy; the sender's retry loop (retry.ts) reads this table and
 * nothing else decides it (spec.md, "Rejects").
 */
import { WalbctlError } from '../../../../common/errors.js';
import { peerName, type PeerRef } from '../errors.js';

/**
 * - drop: the data is not needed there (already there or superseded); forget it and go on.
 * - back-off: try again later, waiting 1 s doubling to 300 s.
 * - stop-and-report: nothing will change until a person (or the tree) acts; report and stop trying.
 * - fall-back-to-hash-backup: the receiver's history does not continue the sender's; only a hash
 *   backup brings them together again.
 */
export type RejectPolicy = 'drop' | 'back-off' | 'stop-and-report' | 'fall-back-to-hash-backup';

export const REJECT_POLICY = {
  /** The offered diff ends at or before what the receiver holds. */
  'too-old': 'drop',
  /** The receiver lacks what precedes the offered diff (a gap): earlier data must arrive first. */
  'too-new': 'back-off',
  /** The receiver's volume belongs to another device uuid (another history). */
  'uuid-mismatch': 'fall-back-to-hash-backup',
  /** A compared diff (a hash backup's) made against an image the receiver has moved past since it was hashed. */
  'base-moved': 'fall-back-to-hash-backup',
  /** The receiver's volume is stopped. */
  stopped: 'back-off',
  /** Another transfer or action holds the volume there. */
  busy: 'back-off',
  /** The receiver has not the room for it. */
  'no-space': 'stop-and-report',
  /** The receiver's volume has another size. */
  'size-mismatch': 'stop-and-report',
  /** The tree does not allow this peer to do this. */
  'not-authorized': 'stop-and-report',
  /** The receiver has no such volume. */
  'not-found': 'stop-and-report',
  /** The receiver's volume is in a state that does not take this transfer (e.g. a full backup into an archived volume). */
  'wrong-state': 'stop-and-report',
  /** The sender's own data failed its checksums (an archive's base against base.sums): nothing good to send. */
  corrupt: 'stop-and-report',
  /** The peers share no protocol version. */
  'version-unsupported': 'stop-and-report',
  /** The receiver does not know the transfer kind. */
  'unknown-kind': 'stop-and-report',
  /** The whole-stream digest did not match: the transfer starts again from its beginning. */
  'digest-mismatch': 'back-off',
  /** The receiver failed for a reason of its own (an I/O error, say). */
  internal: 'back-off',
} as const satisfies Record<string, RejectPolicy>;

export type RejectCode = keyof typeof REJECT_POLICY;

export const REJECT_CODES = Object.keys(REJECT_POLICY) as RejectCode[];

export function isRejectCode(x: unknown): x is RejectCode {
  return typeof x === 'string' && Object.hasOwn(REJECT_POLICY, x);
}

/** A receiver's typed refusal, as the sender sees it (and as a kind throws it to refuse). */
export class WireReject extends WalbctlError {
  readonly policy: RejectPolicy;

  constructor(
    readonly reject: RejectCode,
    readonly detail: string,
    readonly peer?: PeerRef,
  ) {
    super(`wire-${reject}`, `${peer ? `peer ${peerName(peer)} refused: ` : ''}${reject}: ${detail}`, { retryable: REJECT_POLICY[reject] === 'back-off' });
    this.policy = REJECT_POLICY[reject];
  }
}
