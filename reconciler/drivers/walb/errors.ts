/**
 * The walb driver's own errors besides walbc's (walbc.ts `WalbcError`): a WalB task not finished in
 * its time, a task that finished without its result, and an action WalB's servers have no way to do.
 * Each names the server and the walbc command; whether retrying may help is part of the type.
 */
import { WalbctlError } from '../../../common/errors.js';
import type { WalbServer } from './walbc.js';

const at = (s: WalbServer): string => `WalB server ${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port}`;

/** A long WalB task (full-bkp, replicate, restore, …) was still running when its time ran out. */
export class WalbTimeoutError extends WalbctlError {
  constructor(readonly server: WalbServer, readonly command: string[], readonly timeoutMs: number, readonly lastSeen: string) {
    super('walb-timeout', `${at(server)}: walbc ${command.join(' ')} did not finish within ${Math.round(timeoutMs / 1000)} s (last seen: ${lastSeen})`, { retryable: true });
  }
}

/** A WalB task ended, but what it should have made is not there (WalB logs why on its server). */
export class WalbTaskFailedError extends WalbctlError {
  constructor(readonly server: WalbServer, readonly command: string[], readonly detail: string) {
    super('walb-task-failed', `${at(server)}: walbc ${command.join(' ')} ended without its result: ${detail}`, { retryable: true });
  }
}

/** An action WalB's servers cannot perform; the plan shows it blocked with the same reason. */
export class WalbUnsupportedError extends WalbctlError {
  constructor(readonly kind: string, readonly reason: string) {
    super('walb-unsupported', `${kind} is not supported by WalB servers: ${reason}`, { retryable: false });
  }
}
