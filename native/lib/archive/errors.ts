/**
 * Errors of the archive and storage data path. All extend common/errors.ts classes, so the CLI
 * prints them as one line and the reconciler knows whether to retry.
 */
import { StateError, WalbctlError } from '../../../common/errors.js';

/** The volume's state does not allow the operation. */
export class WrongStateError extends StateError {
  constructor(
    readonly volume: string,
    readonly operation: string,
    readonly state: string,
    readonly allowed: readonly string[],
  ) {
    super(`${volume}: cannot ${operation} in state ${state} (allowed in: ${allowed.join(', ')})`);
  }
}

/** Another action that excludes this one runs on the volume (WalB's action exclusion). */
export class BusyError extends StateError {
  constructor(
    readonly volume: string,
    readonly operation: string,
    readonly running: string,
    readonly pid: number,
  ) {
    super(`${volume}: cannot ${operation} while ${running} runs (pid ${pid}); try again when it ends`, { retryable: true });
  }
}

/** A gid that the operation needs is not there: names the gids that are. */
export class GidError extends WalbctlError {
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super('bad-gid', `${volume}: ${message}`);
  }
}

/**
 * A diff offered to the archive that does not continue its chain: `too-old` (the archive is at or
 * past its end), `too-new` (a gap before it), or `base-moved` (a compared diff — a hash backup's —
 * made against an image the archive has moved past since it was hashed: only a new hash backup fits).
 */
export class ChainRelationError extends GidError {
  constructor(
    volume: string,
    readonly relation: 'too-old' | 'too-new' | 'base-moved',
    message: string,
  ) {
    super(volume, message);
  }
}

/** A merge or apply range that WalB's rules refuse. */
export class RangeRefusedError extends WalbctlError {
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super('range-refused', `${volume}: ${message}`);
  }
}

/** The archive on disk is not consistent (a gap in the chain, a missing base, a bad wdiff). */
export class ArchiveCorruptError extends WalbctlError {
  constructor(
    readonly volume: string,
    readonly problems: readonly string[],
  ) {
    super('archive-corrupt', `${volume}: ${problems[0] ?? 'archive is not consistent'}${problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''}`);
  }
}
