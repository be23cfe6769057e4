/**
 * The planner's public surface. The executor and the daemon use:
 * - computePlan(desired, observed, now) → { plan, diagnostics }
 * - parseSavedPlan(text, file) to read `walbctl plan --out` files back
 * - isPlanStale / planStaleness(plan, desiredRevision, observed) to refuse a stale saved plan
 * - observedDigest(observed), summarize(plan), hasChanges(plan)
 */
export { computePlan, volumesOf, type PlanResult } from './compute.js';
export { observedDigest } from './digest.js';
export { isPlanStale, planStaleness } from './stale.js';
export { parseSavedPlan } from './saved-plan.js';
export { parseObservedState, emptyObservedState } from './observed-json.js';
export { summarize, hasChanges, isWhole, type PlanSummary } from './summary.js';
