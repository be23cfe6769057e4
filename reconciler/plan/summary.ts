/** The counts of a plan's summary line, by change kind. */
import type { Plan, PlanAction } from '../model/plan.js';

export interface PlanSummary {
  create: number;
  change: number;
  destroy: number;
  data: number;
}

export function summarize(plan: Plan): PlanSummary {
  const s: PlanSummary = { create: 0, change: 0, destroy: 0, data: 0 };
  for (const a of plan.actions) count(s, a);
  return s;
}

/** Adds one action to the counts. */
export function count(s: PlanSummary, a: PlanAction): void {
  if (a.change === 'create') s.create += 1;
  else if (a.change === 'update') s.change += 1;
  else if (a.change === 'delete') s.destroy += 1;
  else s.data += 1;
}

/** True when the plan holds no action at all (blocked and refused ones count: the host does not match). */
export function hasChanges(plan: Plan): boolean {
  return plan.actions.length > 0;
}
