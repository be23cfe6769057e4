/**
 * A saved plan is a file a user can edit: before it runs, walbctl plans again from the desired state
 * at the plan's revision and the observed state the plan was made against (staleness is checked
 * first, so both are the plan's), at the plan's own `created_at`, and compares. Whether an action
 * destroys data, whether protection refuses it, whether it is blocked, what it depends on and its
 * parameters (a `device`, a `path`) are never taken from the file: any difference refuses the plan
 * and names the field and the action. Only `action_reason`, which is display only, may differ.
 */
import { isDeepStrictEqual } from 'node:util';

import type { ObservedState } from '../../common/observed.js';
import type { DesiredState } from '../model/desired.js';
import type { Plan, PlanAction } from '../model/plan.js';
import { computePlan } from '../plan/compute.js';
import { PlanTamperedError } from './errors.js';

/** The plan walbctl itself makes from the same inputs; throws PlanTamperedError when `saved` differs. */
export function replanSaved(saved: Plan, desired: DesiredState, observed: ObservedState): Plan {
  const fresh = computePlan(desired, observed, new Date(saved.createdAt)).plan;
  const found: string[] = [];
  for (const field of ['applyable', 'complete'] as const) {
    if (saved[field] !== fresh[field]) found.push(`${toJsonName(field)} is ${String(saved[field])} in the file, walbctl decides ${String(fresh[field])}`);
  }
  const freshById = new Map(fresh.actions.map((a) => [a.id, a]));
  const savedIds = new Set<string>();
  saved.actions.forEach((a, i) => {
    savedIds.add(a.id);
    const at = `resource_changes[${i}] (${a.address}, ${a.id})`;
    const f = freshById.get(a.id);
    if (!f) {
      found.push(`${at} is not an action walbctl plans`);
      return;
    }
    for (const d of actionDifferences(a, f)) found.push(`${at}: ${d}`);
  });
  for (const f of fresh.actions) if (!savedIds.has(f.id)) found.push(`action ${f.id} (${f.address}) is missing from the file`);
  if (found.length > 0) throw new PlanTamperedError(found);
  return fresh;
}

const FIELDS = ['kind', 'address', 'change', 'destructive', 'blocked', 'refused', 'dependsOn'] as const;

function actionDifferences(saved: PlanAction, fresh: PlanAction): string[] {
  const out: string[] = [];
  for (const field of FIELDS) {
    const s = saved[field] ?? null;
    const f = fresh[field] ?? null;
    if (!isDeepStrictEqual(s, f)) out.push(`${toJsonName(field)} is ${JSON.stringify(s)} in the file, walbctl decides ${JSON.stringify(f)}`);
  }
  const keys = new Set([...Object.keys(saved.params), ...Object.keys(fresh.params)]);
  for (const key of [...keys].sort()) {
    const s = saved.params[key];
    const f = fresh.params[key];
    if (!isDeepStrictEqual(s, f)) out.push(`params.${key} is ${s === undefined ? 'absent' : JSON.stringify(s)} in the file, walbctl decides ${f === undefined ? 'none' : JSON.stringify(f)}`);
  }
  return out;
}

/** The plan document's name of a Plan field (render/plan-json.ts). */
function toJsonName(field: string): string {
  return field === 'dependsOn' ? 'depends_on' : field;
}
