/**
 * Turns policy steps into PlanActions: a stable id (`HOST/VOLUME:kind[:key]`), the change kind, the
 * dependencies (each step after the previous one of the same chain, plus any extra), and the
 * protect rule: a destructive action on a protected volume is refused, never silently dropped.
 * Which chains a volume has, and what waits for what, is decided in volume.ts (rules: design.md).
 */
import type { PlanAction } from '../model/plan.js';
import type { Step } from '../policy/step.js';
import { CHANGE_OF } from './change-kind.js';

export class VolumeActions {
  readonly actions: PlanAction[] = [];
  /** Chain name → the id of its last action, as two parallel lists: a volume has a handful of chains. */
  private readonly chainNames: string[] = [];
  private readonly chainLast: string[] = [];

  constructor(
    readonly address: string,
    private readonly protect: { on: boolean; why: string },
  ) {}

  /** Adds a step to `chain` (e.g. `storage`, `archive`): it depends on the chain's previous action and on
   *  the ids in `after` (undefined ones are left out: a step may wait for something not planned). */
  add(step: Step, options: { chain: string; after?: readonly (string | undefined)[] }): PlanAction {
    const { chain, after: extraDeps } = options;
    const base = step.key ? `${this.address}:${step.kind}:${step.key}` : `${this.address}:${step.kind}`;
    let id = base;
    for (let n = 2; this.taken(id); n++) id = `${base}:${n}`;
    const previous = this.last(chain);
    const dependsOn: string[] = previous ? [previous] : [];
    if (extraDeps) for (const dep of extraDeps) if (dep !== undefined && !dependsOn.includes(dep)) dependsOn.push(dep);
    const destructive = step.destructive === true;
    const action: PlanAction = {
      id,
      kind: step.kind,
      address: this.address,
      change: CHANGE_OF[step.kind],
      params: step.params,
      dependsOn,
      reason: step.reason,
      destructive,
      blocked: step.blocked ?? null,
      refused: destructive && this.protect.on ? this.protect.why : null,
    };
    this.actions.push(action);
    const at = this.chainNames.indexOf(chain);
    if (at >= 0) this.chainLast[at] = id;
    else {
      this.chainNames.push(chain);
      this.chainLast.push(id);
    }
    return action;
  }

  /** Adds the steps that clear roles. On a protected volume the clear is refused, so the stop that only
   *  prepares it is left out: a protected volume keeps running. */
  addClear(steps: readonly Step[]): void {
    for (const step of steps) {
      if (this.protect.on && step.kind === 'stop') continue;
      this.add(step, { chain: `clear-${step.key}` });
    }
  }

  private taken(id: string): boolean {
    for (const a of this.actions) if (a.id === id) return true;
    return false;
  }

  /** The id of the last action added to `chain`, if any. */
  last(chain: string): string | undefined {
    const at = this.chainNames.indexOf(chain);
    return at >= 0 ? this.chainLast[at] : undefined;
  }
}
