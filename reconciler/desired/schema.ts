/**
 * The JSON schemas in schema/, compiled once per process with ajv (draft 2020-12, strict,
 * allErrors). Durations, sizes, rates, cron expressions and grids are ajv formats backed by the
 * same parsers normalisation uses, so the schema and the code can never disagree.
 */
import { readFileSync } from 'node:fs';

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

import { parseCron } from '../util/cron.js';
import { parseDuration } from '../util/duration.js';
import { parseGrid } from '../util/grid.js';
import { parseRate, parseSize } from '../util/size.js';

const SCHEMA_DIR = new URL(import.meta.url.includes('/dist/') ? '../../../schema/' : '../../schema/', import.meta.url);
export const SCHEMA_BASE = 'https://walbctl.dev/schema/v1/';

/** Each format's parser: throws a UnitSyntaxError whose `reason` becomes the diagnostic. */
export const FORMATS: Record<string, (text: string) => unknown> = {
  'walbctl-duration': parseDuration,
  'walbctl-size': parseSize,
  'walbctl-rate': parseRate,
  'walbctl-cron': parseCron,
  'walbctl-grid': parseGrid,
};

export interface Validators {
  /** One host file or host template as written (every key optional). */
  host: ValidateFunction;
  /** One volume template as written. */
  volume: ValidateFunction;
  /** A host after templates are merged in. */
  completeHost: ValidateFunction;
}

let compiled: Validators | null = null;

export function validators(): Validators {
  if (compiled) return compiled;
  // strictRequired is off only because $defs/complete lists required keys defined in its sibling allOf branch.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
  for (const [name, parse] of Object.entries(FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate: (text: string) => passes(parse, text) });
  }
  for (const name of ['common', 'volume', 'host', 'template']) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(`${name}.schema.json`, SCHEMA_DIR), 'utf8')) as object);
  }
  const get = (ref: string): ValidateFunction => {
    const fn = ajv.getSchema(SCHEMA_BASE + ref);
    if (!fn) throw new Error(`schema ${ref} is missing`);
    return fn;
  };
  compiled = { host: get('host.schema.json'), volume: get('volume.schema.json'), completeHost: get('host.schema.json#/$defs/complete') };
  return compiled;
}

function passes(parse: (text: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

export type SchemaError = ErrorObject;
