/**
 * The order the executor runs a plan in: every action after the actions it depends on, otherwise in
 * the plan's own order (stable topological sort). A dependency on an unknown id or a cycle refuses the
 * plan before anything runs.
 */
import type { PlanAction } from '../model/plan.js';
import { PlanRefusedError } from './errors.js';

export function executionOrder(actions: readonly PlanAction[]): PlanAction[] {
  const byId = new Map<string, PlanAction>();
  for (const a of actions) {
    if (byId.has(a.id)) throw new PlanRefusedError(`action id ${a.id} appears twice`);
    byId.set(a.id, a);
  }
  for (const a of actions) {
    for (const d of a.dependsOn) if (!byId.has(d)) throw new PlanRefusedError(`${a.id} depends on ${d}, which is not in the plan`);
  }
  const placed = new Set<string>();
  const order: PlanAction[] = [];
  while (order.length < actions.length) {
    const next = actions.find((a) => !placed.has(a.id) && a.dependsOn.every((d) => placed.has(d)));
    if (!next) {
      const stuck = actions.filter((a) => !placed.has(a.id)).map((a) => a.id);
      throw new PlanRefusedError(`dependency cycle among ${stuck.join(', ')}`);
    }
    placed.add(next.id);
    order.push(next);
  }
  return order;
}
