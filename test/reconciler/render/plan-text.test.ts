import { describe, expect, it } from 'vitest';

import type { Plan, PlanAction } from '../../../reconciler/model/plan.js';
import { LEGEND, renderPlanText, summaryLine } from '../../../reconciler/render/plan-text.js';

const action = (o: Partial<PlanAction>): PlanAction => ({
  id: 'local/demo:snapshot', kind: 'snapshot', address: 'local/demo', change: 'data', params: {}, dependsOn: [],
  reason: 'every 1 h is due', destructive: false, blocked: null, refused: null, ...o,
});
const plan = (o: Partial<Plan>): Plan => ({
  formatVersion: 1, host: 'local', revision: 'main@sha1:abc', observedAt: '2026-11-21T12:00:00Z', observedDigest: 'sha256:' + '0'.repeat(64),
  createdAt: '2026-11-21T12:00:00Z', drift: [], actions: [], diagnostics: [], complete: true, applyable: true, ...o,
});

describe('renderPlanText', () => {
  it('says there is nothing to do in the last line when the plan is empty', () => {
    const text = renderPlanText(plan({}));
    expect(text.trimEnd().split('\n').pop()).toBe('No changes. local matches the repository.');
    expect(text).not.toContain('Symbols:');
  });

  it('counts each change kind in the summary line', () => {
    const p = plan({ actions: [
      action({ id: 'a', kind: 'init', change: 'create' }), action({ id: 'b', kind: 'start', change: 'update' }),
      action({ id: 'c', kind: 'clear', change: 'delete', destructive: true }), action({ id: 'd' }), action({ id: 'e', kind: 'merge' }),
    ] });
    expect(summaryLine(p)).toBe('Plan: 1 to create, 1 to change, 1 to destroy, 2 data actions.');
  });

  it('puts drift before the plan, with the legend defined once', () => {
    const text = renderPlanText(plan({ drift: [{ address: 'local/demo', message: 'the volume was cleared outside walbctl' }], actions: [action({})] }));
    expect(text.indexOf('Note: Objects have changed outside of walbctl')).toBeLessThan(text.indexOf(LEGEND));
    expect(text.split(LEGEND)).toHaveLength(2);
  });

  it('marks destructive, refused and blocked actions and gives the reason on a comment line', () => {
    const text = renderPlanText(plan({ actions: [
      action({ id: 'x', kind: 'clear', change: 'delete', destructive: true, params: { role: 'archive' }, reason: 'removed', refused: 'protected' }),
      action({ id: 'y', kind: 'replicate', params: { to: 'dr-1', fromGid: null, drops: [1, 2] }, reason: 'behind', blocked: 'the transport between hosts is not built yet' }),
    ] }));
    expect(text).toContain([
      '  # local/demo (destroys data)',
      '  - clear role=archive   # destroys data',
      '      # (because removed)',
      '      # refused: protected',
      '  > replicate to=dr-1 fromGid=null drops=[1,2]',
      '      # (because behind)',
      '      # blocked: the transport between hosts is not built yet',
    ].join('\n'));
  });

  it('lists diagnostics and says when the plan is incomplete', () => {
    const text = renderPlanText(plan({ complete: false, applyable: false, diagnostics: [{ severity: 'error', address: 'local/demo', message: 'cannot plan' }] }));
    expect(text).toContain('Error: local/demo: cannot plan\n');
    expect(text).toContain('The plan is incomplete: errors kept some volumes from being planned.\n');
  });
});
