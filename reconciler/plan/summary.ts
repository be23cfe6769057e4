/**
 * The counts of a plan's summary line, by change kind — counting apart what cannot run: blocked and
 * refused actions, and those waiting (directly or through others) for one of them. Those are not
 * changes the plan makes; a plan holding any cannot be carried out whole (design.md).
 */
import type { Plan, PlanAction } from '../model/plan.js';

export interface PlanSummary {
  create: number;
  change: number;
  destroy: number;
  data: number;
  blocked: number;
  refused: number;
  /** Actions that wait for a blocked or refused action, so will not run either. */
  waiting: number;
}

export function emptySummary(): PlanSummary {
  return { create: 0, change: 0, destroy: 0, data: 0, blocked: 0, refused: 0, waiting: 0 };
}

export function summarize(plan: Plan): PlanSummary {
  const s = emptySummary();
  countActions(s, plan.actions);
  return s;
}

/**
 * Adds actions to the counts. An action's dependencies come before it in a computed plan (and never
 * leave its volume), so one pass finds every action held back by a blocked or refused one.
 */
export function countActions(s: PlanSummary, actions: readonly PlanAction[]): void {
  let stuck: Set<string> | null = null;
  for (const a of actions) {
    if (a.blocked) s.blocked += 1;
    else if (a.refused) s.refused += 1;
    else if (stuck !== null && a.dependsOn.some((d) => stuck!.has(d))) s.waiting += 1;
    else {
      if (a.change === 'create') s.create += 1;
      else if (a.change === 'update') s.change += 1;
      else if (a.change === 'delete') s.destroy += 1;
      else s.data += 1;
      continue;
    }
    (stuck ??= new Set()).add(a.id);
  }
}

/** Actions that cannot run: blocked, refused, or waiting for one of those. */
export function cannotRun(s: PlanSummary): number {
  return s.blocked + s.refused + s.waiting;
}

/** True when the plan holds no action at all (blocked and refused ones count: the host does not match). */
export function hasChanges(plan: Plan): boolean {
  return plan.actions.length > 0;
}

/** True when every action of the plan can run (given consent for destructive ones). */
export function isWhole(s: PlanSummary): boolean {
  return cannotRun(s) === 0;
}
