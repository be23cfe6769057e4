/**
 * The JSON schemas in schema/ as validators. They are precompiled (ajv standaloneCode, draft
 * 2020-12, strict, allErrors, verbose) into validators.generated.ts by
 * schema/generate-validators.mjs, so no process compiles schemas at start-up.
 */
import type { ErrorObject } from 'ajv';

import * as generated from './validators.generated.js';

export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export interface Validators {
  /** One host template as written (every key optional). */
  host: ValidateFunction;
  /** One volume template as written. */
  volume: ValidateFunction;
  /** A host file after its templates are merged in. */
  completeHost: ValidateFunction;
}

export function validators(): Validators {
  return generated as unknown as Validators;
}
