/** Reading an action's parameters with errors that name the action and the parameter. */
import { InputError } from '../../common/errors.js';
import type { PlanAction } from '../model/plan.js';

export function numberParam(action: PlanAction, name: string): number {
  const v = action.params[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InputError(`params.${name}: expected a non-negative integer, got ${JSON.stringify(v ?? null)}`, action.id);
  return v;
}

export function stringParam(action: PlanAction, name: string): string {
  const v = action.params[name];
  if (typeof v !== 'string' || v === '') throw new InputError(`params.${name}: expected a string, got ${JSON.stringify(v ?? null)}`, action.id);
  return v;
}

export function optionalString(action: PlanAction, name: string): string | null {
  const v = action.params[name];
  return typeof v === 'string' && v !== '' ? v : null;
}
