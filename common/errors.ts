/**
 * walbctl's error classes. Each error is a named class with fields; the message is built from the
 * fields and `cause` is kept. Whether an error is worth retrying is part of its type
 * (`retryable`), never found by matching a message.
 */
export class WalbctlError extends Error {
  /** A stable, machine-readable code (kebab-case). */
  readonly code: string;
  /** True when the same operation may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** The command line was wrong: an unknown flag, a missing argument. */
export class UsageError extends WalbctlError {
  constructor(message: string, readonly command?: string) {
    super('usage', message);
  }
}

/** Input that does not hold up: a file, a line, a field or a byte offset is named in the message. */
export class InputError extends WalbctlError {
  constructor(message: string, readonly location?: string, options: { cause?: unknown } = {}) {
    super('bad-input', location ? `${location}: ${message}` : message, options);
  }
}

/** An operation is not allowed in the current state (of a volume, an archive, a host). */
export class StateError extends WalbctlError {
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('wrong-state', message, options);
  }
}
