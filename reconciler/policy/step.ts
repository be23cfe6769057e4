/**
 * What a policy proposes: an action kind with its parameters and a reason, not yet placed in a plan
 * (no id, no dependencies). reconciler/plan/ turns steps into PlanActions.
 */
import type { ActionKind, PlanAction } from '../model/plan.js';

export interface Step {
  kind: ActionKind;
  params: PlanAction['params'];
  /** Display only: the `# (because …)` line. */
  reason: string;
  /** Distinguishes two steps of one kind in a volume (`storage`, a restore's name, `2`). */
  key?: string;
  destructive?: boolean;
  blocked?: string | null;
}

/** Why replication and cross-host backups cannot run yet. */
export const TRANSPORT_BLOCKED = 'the transport between hosts is not built yet';
