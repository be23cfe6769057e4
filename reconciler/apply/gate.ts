/**
 * Whether an action may run: a blocked action is reported as blocked, a destructive action needs
 * --allow-destroy and never runs on a protected volume, and an action whose dependency did not finish
 * waits. Whether an action destroys data is decided again here from its kind and the desired volume
 * (`destroysData`), and protection from the desired state and what was last applied — the plan's
 * `destructive` flag can only add to that, never take away. Never decided from `reason`.
 */
import { resolve } from 'node:path';

import type { DesiredVolume } from '../model/desired.js';
import type { PlanAction } from '../model/plan.js';
import type { ActionStatus } from './journal.js';

export type Gate = { run: true } | { run: false; status: Exclude<ActionStatus, 'done' | 'failed'>; message: string };

/**
 * Does this action destroy data? A `clear` does (the role's data on this host goes); a
 * `delete-restore` does unless it replaces the image of one of the volume's declared restores.
 */
export function destroysData(action: PlanAction, volume: DesiredVolume | null): boolean {
  if (action.kind === 'clear') return true;
  if (action.kind !== 'delete-restore') return false;
  const path = typeof action.params.path === 'string' ? resolve(action.params.path) : null;
  return !volume || path === null || !volume.restores.some((r) => r.path === path);
}

export function gateAction(
  action: PlanAction,
  context: {
    volume: DesiredVolume | null;
    allowDestroy: boolean;
    dependencyStatus: (id: string) => ActionStatus | undefined;
    /** True when the volume is gone from the tree but was protected when last applied. */
    wasProtected?: boolean;
  },
): Gate {
  for (const dep of action.dependsOn) {
    const status = context.dependencyStatus(dep);
    if (status !== 'done') return { run: false, status: 'skipped', message: `waits for ${dep} (${status ?? 'not run'})` };
  }
  if (action.blocked) return { run: false, status: 'blocked', message: action.blocked };
  if (action.refused) return { run: false, status: 'refused', message: action.refused };
  if (action.destructive || destroysData(action, context.volume)) {
    if (context.volume?.protect) return { run: false, status: 'refused', message: `${action.address} is protected (protect: true); destructive actions never run on it` };
    if (!context.volume && context.wasProtected) return { run: false, status: 'refused', message: `${action.address} was protected when last applied: remove "protect" in one commit and the volume in a later one` };
    if (!context.allowDestroy) return { run: false, status: 'refused', message: 'destroys data: runs only with --allow-destroy' };
  }
  return { run: true };
}
