/**
 * The part of a plan the daemon runs on this pass: actions of volumes waiting out a backoff are held
 * back, with every action that depends on one of them. What remains is still a plan the executor
 * runs exactly.
 */
import type { Plan } from '../model/plan.js';

export function withoutVolumes(plan: Plan, held: (address: string) => boolean): { plan: Plan; heldBack: string[] } {
  const removed = new Set(plan.actions.filter((a) => held(a.address)).map((a) => a.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of plan.actions) {
      if (!removed.has(a.id) && a.dependsOn.some((d) => removed.has(d))) {
        removed.add(a.id);
        grew = true;
      }
    }
  }
  return { plan: { ...plan, actions: plan.actions.filter((a) => !removed.has(a.id)) }, heldBack: [...removed] };
}
