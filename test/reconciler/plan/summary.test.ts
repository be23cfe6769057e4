import { describe, expect, it } from 'vitest';

import type { PlanAction } from '../../../reconciler/model/plan.js';
import { countActions, emptySummary, isWhole } from '../../../reconciler/plan/summary.js';

function action(id: string, overrides: Partial<PlanAction> = {}): PlanAction {
  return { id: `local/demo:${id}`, kind: 'snapshot', address: 'local/demo', change: 'data', params: {}, dependsOn: [], reason: '', destructive: false, blocked: null, refused: null, ...overrides };
}

describe('the plan summary', () => {
  it('counts blocked and refused actions, and those waiting for them through other actions, apart from the changes', () => {
    const s = emptySummary();
    countActions(s, [
      action('init', { kind: 'init', change: 'create' }),
      action('replicate', { kind: 'replicate', blocked: 'no transport' }),
      action('clear', { kind: 'clear', change: 'delete', destructive: true, refused: 'protected' }),
      action('after-clear', { dependsOn: ['local/demo:clear'] }),
      action('after-after', { dependsOn: ['local/demo:after-clear'] }),
      action('independent', { dependsOn: ['local/demo:init'] }),
    ]);
    expect(s).toEqual({ create: 1, change: 0, destroy: 0, data: 1, blocked: 1, refused: 1, waiting: 2 });
    expect(isWhole(s)).toBe(false);
  });

  it('counts a destructive action awaiting --allow-destroy as a change: consent makes it run', () => {
    const s = emptySummary();
    countActions(s, [action('clear', { kind: 'clear', change: 'delete', destructive: true })]);
    expect(s.destroy).toBe(1);
    expect(isWhole(s)).toBe(true);
  });
});
