/**
 * A small structural checker for JSON the planner reads (observed fixtures, saved plans): each check
 * names the file and the field path (`volumes.demo.archive.diffs[3].b.e`) of the first value that is
 * not what it should be.
 */
import { InputError } from '../../common/errors.js';
import { tryToMs } from '../policy/time.js';

export class Checker {
  constructor(private readonly file: string) {}

  fail(path: string, message: string): never {
    throw new InputError(`${path || '(top level)'}: ${message}`, this.file);
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `expected an object, got ${kind(v)}`);
    return v as Record<string, unknown>;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `expected an array, got ${kind(v)}`);
    return v;
  }

  string(v: unknown, path: string, nullable = false): string | null {
    if (nullable && v === null) return null;
    if (typeof v !== 'string') this.fail(path, `expected a string${nullable ? ' or null' : ''}, got ${kind(v)}`);
    return v;
  }

  time(v: unknown, path: string, nullable = false): string | null {
    const s = this.string(v, path, nullable);
    if (s !== null && !isIsoTime(s)) this.fail(path, `expected a UTC ISO 8601 time, got "${s}"`);
    return s;
  }

  number(v: unknown, path: string, nullable = false): number | null {
    if (nullable && v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || !Number.isInteger(v)) this.fail(path, `expected a non-negative integer${nullable ? ' or null' : ''}, got ${kind(v)}`);
    return v;
  }

  boolean(v: unknown, path: string, nullable = false): boolean | null {
    if (nullable && v === null) return null;
    if (typeof v !== 'boolean') this.fail(path, `expected true or false${nullable ? ' or null' : ''}, got ${kind(v)}`);
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(path, `expected one of ${allowed.join(', ')}, got ${kind(v)}`);
    return v as T;
  }
}

function kind(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Parses JSON text, naming the file and the line of a syntax error. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const m = /position (\d+)/.exec((error as Error).message);
    const where = m ? `line ${text.slice(0, Number(m[1])).split('\n').length}: ` : '';
    throw new InputError(`${where}not valid JSON: ${(error as Error).message}`, file, { cause: error });
  }
}

/** A UTC ISO 8601 time as the observed state writes them (a calendar date, then `T`). */
export function isIsoTime(s: string): boolean {
  return datePrefix(s) && tryToMs(s) !== null;
}

/** `s` starts as /^\d{4}-\d\d-\d\dT/ does, tested without a regular expression (a fixture has a million times). */
function datePrefix(s: string): boolean {
  if (s.length < 11 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return false;
  for (const i of DATE_DIGITS) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];
