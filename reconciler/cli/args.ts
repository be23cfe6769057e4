/**
 * Argument parsing on node:util's parseArgs, with errors turned into UsageError so the CLI
 * prints one clear line. `--help` is handled by main.ts before a command parses.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { UsageError } from '../../common/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<O extends Options> {
  values: { [K in keyof O]: O[K]['type'] extends 'boolean' ? boolean | undefined : O[K]['multiple'] extends true ? string[] | undefined : string | undefined };
  positionals: string[];
}

export function parse<O extends Options>(args: string[], options: O, opts: { command: string; minPositionals?: number; maxPositionals?: number } ): Parsed<O> {
  let result;
  try {
    result = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error);
    throw new UsageError(`${opts.command}: ${message} (see "walbctl ${opts.command} --help")`, opts.command);
  }
  const n = result.positionals.length;
  if (opts.minPositionals !== undefined && n < opts.minPositionals) {
    throw new UsageError(`${opts.command}: expected at least ${opts.minPositionals} argument(s), got ${n} (see "walbctl ${opts.command} --help")`, opts.command);
  }
  if (opts.maxPositionals !== undefined && n > opts.maxPositionals) {
    throw new UsageError(`${opts.command}: unexpected argument "${result.positionals[opts.maxPositionals]}" (see "walbctl ${opts.command} --help")`, opts.command);
  }
  return result as unknown as Parsed<O>;
}

/** Parses a non-negative integer flag, naming the flag when it is not one. */
export function integerFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag}: expected a non-negative integer, got "${value}"`);
  return Number(value);
}
