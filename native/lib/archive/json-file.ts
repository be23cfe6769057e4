/**
 * Small JSON metadata files: read with a check of every field (errors name the file and the field),
 * written atomically (temporary file, fsync, rename, fsync of the directory).
 */
import { readFile } from 'node:fs/promises';

import { InputError } from '../../../common/errors.js';
import { atomicWriteFile } from '../../../common/atomic-write.js';

export type Check = (value: unknown, field: string) => string | null;

export const isString: Check = (v) => (typeof v === 'string' ? null : 'expected a string');
export const isStringOrNull: Check = (v) => (v === null || typeof v === 'string' ? null : 'expected a string or null');
export const isCount: Check = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? null : 'expected a non-negative integer');
export const isCountOrNull: Check = (v) => (v === null ? null : isCount(v, ''));
export const isBool: Check = (v) => (typeof v === 'boolean' ? null : 'expected true or false');
export const isArray: Check = (v) => (Array.isArray(v) ? null : 'expected a list');
export const isObject: Check = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? null : 'expected an object');
export const oneOf =
  (...values: readonly (string | null)[]): Check =>
  (v) =>
    values.includes(v as string) ? null : `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;

/** Reads `path` as JSON and checks the named top-level fields. */
export async function readChecked<T>(path: string, checks: Record<string, Check>): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError('metadata file is missing', path, { cause: error });
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, path, { cause: error });
  }
  if (isObject(value, '') !== null) throw new InputError('expected a JSON object', path);
  const obj = value as Record<string, unknown>;
  for (const [field, check] of Object.entries(checks)) {
    const problem = check(obj[field], field);
    if (problem) throw new InputError(`field "${field}": ${problem}`, path);
  }
  return obj as T;
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await atomicWriteFile(path, JSON.stringify(value, null, 2) + '\n');
}
