/** Errors a driver raises. Whether retrying may help is part of the type, never found in a message. */
import { WalbctlError } from '../../common/errors.js';

/** A back end is not usable on this host (not built, not installed, not yet implemented). */
export class DriverUnavailableError extends WalbctlError {
  constructor(readonly driver: string, readonly what: string) {
    super('driver-unavailable', `driver ${driver}: ${what}`);
  }
}

/** An action failed in the back end; `retryable` says whether the same action may succeed later. */
export class ActionFailedError extends WalbctlError {
  constructor(
    readonly actionId: string,
    readonly detail: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super('action-failed', `${actionId}: ${detail}`, options);
  }
}
