/** Errors of the executor: named classes with fields; the message is built from the fields. */
import { WalbctlError } from '../../common/errors.js';

export interface LockInfo {
  /** Random id, given to `walbctl unlock ID`. */
  id: string;
  /** What the holder is doing: `apply`, `daemon`. */
  operation: string;
  /** `user@machine`. */
  who: string;
  pid: number;
  /** Machine the holder runs on (stale-pid detection only trusts pids of this machine). */
  machine: string;
  /** UTC, ISO 8601. */
  since: string;
}

/** Another walbctl holds the host's lock. Retryable: it is released when the holder finishes. */
export class HostLockedError extends WalbctlError {
  constructor(readonly host: string, readonly holder: LockInfo) {
    super(
      'host-locked',
      `host ${host} is locked: ID ${holder.id}, operation "${holder.operation}", held by ${holder.who} (pid ${holder.pid}) since ${holder.since}; ` +
        `if that walbctl is no longer running, run "walbctl unlock ${holder.id}"`,
      { retryable: true },
    );
  }
}

/** `walbctl unlock ID` named an id that does not hold the lock. */
export class LockMismatchError extends WalbctlError {
  constructor(readonly id: string, readonly holder: LockInfo | null) {
    super('lock-mismatch', holder ? `lock ID ${id} does not hold the lock: ID ${holder.id} (${holder.operation}, ${holder.who}, pid ${holder.pid}) does` : `lock ID ${id}: no host is locked`);
  }
}

/** A saved plan no longer matches the repository revision or the live state. */
export class StalePlanError extends WalbctlError {
  constructor(readonly why: string) {
    super('stale-plan', `Saved plan is stale: ${why}; run "walbctl plan" again`);
  }
}

/** A plan the executor will not run at all (errors in it, another host's, a dependency cycle). */
/** A saved plan that is not the plan walbctl makes from the same revision and live state: edited. */
export class PlanTamperedError extends WalbctlError {
  constructor(readonly differences: string[]) {
    super('plan-tampered', `Saved plan was edited, refused: ${differences.join('; ')}; run "walbctl plan" again`);
  }
}

export class PlanRefusedError extends WalbctlError {
  constructor(readonly why: string) {
    super('plan-refused', `plan refused: ${why}`);
  }
}

/** The journal holds something the executor cannot read (not a torn last line: that is a crash). */
export class JournalCorruptError extends WalbctlError {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super('journal-corrupt', `${file}:${line}: corrupt journal record: ${detail}`);
  }
}
