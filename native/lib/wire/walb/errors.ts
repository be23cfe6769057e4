/**
 * Errors of WalB's dialect. Each names the peer (address) and, for bytes that do not hold up, the
 * offset in the connection's inbound stream and what was being read.
 */
import { WalbctlError } from '../../../../common/errors.js';

/** The peer's bytes break WalB's protocol: a bad value, an unknown marker, the stream ending early. */
export class WalbProtocolError extends WalbctlError {
  constructor(readonly peer: string, readonly offset: number, readonly what: string, readonly rule: string) {
    super('walb-protocol', `WalB peer ${peer}: inbound byte ${offset} (${what}): ${rule}`, { retryable: true });
  }
}

/** The peer answered with one of WalB's refusals (`too-old-diff`, `stopped`, an error text, …). */
export class WalbRefusal extends WalbctlError {
  constructor(readonly peer: string, readonly protocol: string, readonly answer: string, options: { retryable: boolean }) {
    super('walb-refused', `WalB peer ${peer} refused ${protocol}: ${answer}`, options);
  }
}
