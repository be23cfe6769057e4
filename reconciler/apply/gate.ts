/**
 * Whether an action may run: a blocked action is reported as blocked, a destructive action needs
 * --allow-destroy and never runs on a protected volume, and an action whose dependency did not finish
 * waits. Decided from the action's fields and the desired volume only — never from `reason`.
 */
import type { DesiredVolume } from '../model/desired.js';
import type { PlanAction } from '../model/plan.js';
import type { ActionStatus } from './journal.js';

export type Gate = { run: true } | { run: false; status: Exclude<ActionStatus, 'done' | 'failed'>; message: string };

export function gateAction(
  action: PlanAction,
  context: { volume: DesiredVolume | null; allowDestroy: boolean; dependencyStatus: (id: string) => ActionStatus | undefined },
): Gate {
  for (const dep of action.dependsOn) {
    const status = context.dependencyStatus(dep);
    if (status !== 'done') return { run: false, status: 'skipped', message: `waits for ${dep} (${status ?? 'not run'})` };
  }
  if (action.blocked) return { run: false, status: 'blocked', message: action.blocked };
  if (action.refused) return { run: false, status: 'refused', message: action.refused };
  if (action.destructive) {
    if (context.volume?.protect) return { run: false, status: 'refused', message: `${action.address} is protected (protect: true); destructive actions never run on it` };
    if (!context.allowDestroy) return { run: false, status: 'refused', message: 'destroys data: runs only with --allow-destroy' };
  }
  return { run: true };
}
