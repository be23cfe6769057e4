/**
 * Whether a saved plan may still be applied: it must have been made from the same repository revision
 * and the same observed state (by digest) the executor sees now. Terraform's "Saved plan is stale".
 */
import type { ObservedState } from '../../common/observed.js';
import type { Plan } from '../model/plan.js';
import { observedDigest } from './digest.js';

/** Why the plan is stale, or null when it is current. */
export function planStaleness(plan: Plan, desiredRevision: string | null, observed: ObservedState): string | null {
  if (plan.host !== observed.host) return `the plan is for host ${plan.host}, the observed state is of host ${observed.host}`;
  if (plan.revision !== desiredRevision) {
    return `the plan was made at revision ${plan.revision ?? '(none)'}, the repository is now at ${desiredRevision ?? '(none)'}`;
  }
  const digest = observedDigest(observed);
  if (plan.observedDigest !== digest) {
    return `the live state changed since the plan was made (observed at ${plan.observedAt}; digest ${plan.observedDigest.slice(0, 19)}… is now ${digest.slice(0, 19)}…)`;
  }
  return null;
}

export function isPlanStale(plan: Plan, desiredRevision: string | null, observed: ObservedState): boolean {
  return planStaleness(plan, desiredRevision, observed) !== null;
}
