/**
 * The proxy's typed refusals. Each carries one of the wire's reject codes (native/lib/wire's
 * protocol/rejects.ts holds THE table of what a sender does about each); the log-batch transfer
 * answers it as that reject. The proxy decides nothing here about retrying.
 */
import { WalbctlError } from '../../../common/errors.js';

export type SpoolRejectCode = 'too-old' | 'stopped' | 'not-found' | 'no-space' | 'uuid-mismatch' | 'size-mismatch';

export class SpoolReject extends WalbctlError {
  constructor(
    readonly reject: SpoolRejectCode,
    readonly volume: string,
    readonly detail: string,
  ) {
    super(`proxy-${reject}`, `proxy: volume ${volume}: ${reject}: ${detail}`);
  }
}
