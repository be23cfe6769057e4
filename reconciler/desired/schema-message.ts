/**
 * Turns one ajv error into the key path it concerns and a message an operator can act on. The
 * messages are written here from `keyword` + `params` (ajv's own wording talks about schemas).
 */
import type { ErrorObject } from 'ajv';

import { UnitSyntaxError } from '../util/unit-error.js';
import { PARSERS } from './formats.js';

export interface SchemaProblem {
  /** Key path segments from the checked value's root. */
  segments: Array<string | number>;
  message: string;
  /** True when the key itself (not its value) is at fault, so the location is the key's. */
  atKey: boolean;
  /** True for a missing required key. */
  missing: boolean;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

/** Needs errors from a validator compiled with `verbose: true` (for `data` and `parentSchema`). */
export function schemaProblem(error: ErrorObject): SchemaProblem | null {
  const segments = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const at = (message: string): SchemaProblem => ({ segments, message, atKey: false, missing: false });
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const near = nearest(key, allowed);
      return { segments: [...segments, key], message: `unknown key${near ? ` (did you mean ${near}?)` : allowed.length ? ` (expected one of: ${allowed.join(', ')})` : ''}`, atKey: true, missing: false };
    }
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], message: 'required key is missing', atKey: true, missing: true };
    case 'type': {
      const types = String(params.type).split(',');
      return at(`must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`);
    }
    case 'enum':
      return at(`must be one of: ${(params.allowedValues as unknown[]).map((v) => (v === null ? 'null' : String(v))).join(', ')}`);
    case 'format':
      return at(formatMessage(String(params.format), error.data));
    case 'minimum':
      return at(params.limit === 0 ? 'must be 0 or more' : params.limit === 1 ? 'must be a positive integer' : `must be at least ${String(params.limit)}`);
    case 'minItems':
      return at(`must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`);
    case 'minLength':
      return at('must not be empty');
    case 'uniqueItems':
      return at(`must not repeat an item (items ${String(params.j)} and ${String(params.i)} are equal)`);
    case 'pattern':
      return at(`${JSON.stringify(error.data)} is not in the expected form`);
    case 'allOf':
    case 'anyOf':
    case 'if':
      return null; // the failing branch reports its own error
    default:
      return at(error.message ?? error.keyword);
  }
}

function formatMessage(format: string, data: unknown): string {
  try {
    PARSERS[format]?.(String(data));
  } catch (error) {
    if (error instanceof UnitSyntaxError) return `bad ${error.kind} ${JSON.stringify(error.text)}: ${error.field ? `${error.field}: ` : ''}${error.reason}`;
  }
  return `not a valid ${format.replace('walbctl-', '')}`;
}

export function pointerSegments(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The allowed key closest to `key` when it is a likely typo (edit distance ≤ 2), else null. */
export function nearest(key: string, allowed: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
