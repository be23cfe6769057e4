/**
 * Runs WalB's controller `walbc` with execa: each argument one argv element, never a shell; a time
 * limit; a failure becomes one error with the command, exit code and stderr.
 */
import { execa } from 'execa';

import { WalbctlError } from '../../../common/errors.js';

export interface WalbServer {
  /** `walbc -a ADDR -p PORT`. */
  address: string;
  port: number;
}

/**
 * WalB's own message out of walbc's stderr: the text of its `ERROR walbc error: …` lines, without the
 * timestamps and `<<<STACKTRACE>>>` lines; the whole stderr when it has no such line.
 */
export function walbMessage(stderr: string): string {
  const errors = stderr.split('\n').map((l) => /\bERROR walbc error: (.*)$/.exec(l)?.[1]?.trim()).filter((m): m is string => !!m);
  return errors.length > 0 ? errors.join('; ') : stderr.trim();
}

/** walbc failed: names the server and the command (without the server arguments), with WalB's message. */
export class WalbcError extends WalbctlError {
  readonly walbMessage: string;
  constructor(readonly server: WalbServer, readonly command: string[], readonly exitCode: number | undefined, readonly stderr: string, options: { retryable: boolean }) {
    const message = walbMessage(stderr);
    super('walbc-failed', `WalB server ${server.address}:${server.port}: walbc ${command.join(' ')} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}: ${message || 'no message'}`, options);
    this.walbMessage = message;
  }

  get argv(): string[] {
    return [...serverArgs(this.server), ...this.command];
  }
}

export interface WalbcOptions {
  /** The walbc binary (default: $WALBC, else `walbc` on PATH). */
  binary?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The arguments before the command: which server to talk to. */
export function serverArgs(server: WalbServer): string[] {
  return ['-a', server.address, '-p', String(server.port)];
}

export async function walbc(server: WalbServer, args: string[], options: WalbcOptions = {}): Promise<string> {
  const argv = [...serverArgs(server), ...args];
  const r = await execa(options.binary ?? process.env.WALBC ?? 'walbc', argv, {
    reject: false,
    timeout: options.timeoutMs ?? 600_000,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    forceKillAfterDelay: 5_000,
    stripFinalNewline: true,
  });
  if (r.failed) {
    // Not found or killed by the time limit: worth trying again later; a refusal by the server is not.
    const retryable = r.timedOut || r.isCanceled || r.exitCode === undefined;
    throw new WalbcError(server, args, r.exitCode, String(r.stderr || (r.exitCode === undefined ? r.shortMessage : '') || ''), { retryable });
  }
  return String(r.stdout);
}
