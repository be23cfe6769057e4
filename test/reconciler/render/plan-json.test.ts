import { describe, expect, it } from 'vitest';

import type { Plan, PlanAction } from '../../../reconciler/model/plan.js';
import { parseSavedPlan } from '../../../reconciler/plan/saved-plan.js';
import { planToJson, renderPlanJson } from '../../../reconciler/render/plan-json.js';

const action = (n: number): PlanAction => ({
  id: `local/v${n}:snapshot`, kind: 'snapshot', address: `local/v${n}`, change: n % 3 === 0 ? 'create' : 'data', params: { gid: n, drops: [n, n + 1] },
  dependsOn: n > 0 ? [`local/v${n - 1}:snapshot`] : [], reason: `reason "${n}" \u2014 quoted`, destructive: n % 5 === 0, blocked: n % 7 === 0 ? 'no transport' : null,
  refused: n % 11 === 0 ? 'protected' : null,
});
const plan = (actions: number): Plan => ({
  formatVersion: 1, host: 'local', revision: null, observedAt: '2026-11-21T12:00:00Z', observedDigest: 'sha256:' + 'a'.repeat(64),
  createdAt: '2026-11-21T12:00:00Z', drift: [{ address: 'local/v1', message: 'gone' }], actions: Array.from({ length: actions }, (_, i) => action(i)),
  diagnostics: [{ severity: 'warning', address: 'local/v2', message: 'w' }], complete: true, applyable: true, skipped: [], upcoming: [{ address: 'local/v3', kind: 'merge', at: '2026-11-21T13:00:00Z' }],
});

describe('renderPlanJson', () => {
  it.each([0, 1, 255, 256, 257, 513])('writes %i actions as exactly what one JSON.stringify of the document gives', (n) => {
    const p = plan(n);
    expect(renderPlanJson(p)).toBe(JSON.stringify(planToJson(p)) + '\n');
  });

  it('writes a document apply reads back as the same plan', () => {
    const p = plan(300);
    expect(parseSavedPlan(renderPlanJson(p), 'plan.json')).toEqual(p);
  });

  it('holds each action once, with format_version 2.1', () => {
    const doc = JSON.parse(renderPlanJson(plan(3)));
    expect(doc.format_version).toBe('2.1');
    expect(doc.plan).toBeUndefined();
    expect(doc.resource_changes.map((c: { id: string }) => c.id)).toEqual(['local/v0:snapshot', 'local/v1:snapshot', 'local/v2:snapshot']);
    expect(doc.summary).toEqual({ create: 0, change: 0, destroy: 0, data: 0, blocked: 1, refused: 0, waiting: 2 });
    expect(doc.whole).toBe(false);
  });
});
