/**
 * Golden plans: each test/fixtures/plan/<case>/ holds a desired state, an observed state and the
 * time; the plan rendered as text must equal plan.txt there. Regenerate with UPDATE_GOLDEN=1 and
 * review the diff by hand.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { ACTION_KINDS } from '../../../reconciler/model/plan.js';
import { computePlan } from '../../../reconciler/plan/compute.js';
import { readDesiredJson } from '../../../reconciler/plan/io/desired-json.js';
import { parseObservedState } from '../../../reconciler/plan/observed-json.js';
import { parseSavedPlan } from '../../../reconciler/plan/saved-plan.js';
import { renderPlanJson } from '../../../reconciler/render/plan-json.js';
import { renderPlanText } from '../../../reconciler/render/plan-text.js';
import { walbctl } from '../../helpers/cli.js';

export const casesDir = fileURLToPath(new URL('../../fixtures/plan/', import.meta.url));
const cases = readdirSync(casesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

export async function planCase(name: string) {
  const dir = join(casesDir, name);
  const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { about: string; host: string; now: string };
  const desired = await readDesiredJson(join(dir, 'desired.json'));
  const observed = parseObservedState(readFileSync(join(dir, 'observed.json'), 'utf8'), join(dir, 'observed.json'));
  return { meta, ...computePlan(desired, observed, new Date(meta.now)) };
}

describe('golden plans from observed fixtures', () => {
  it('has the cases this suite relies on', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it('covers every action kind, destructive, refused and blocked actions, drift and skipped volumes', async () => {
    const plans = await Promise.all(cases.map(async (name) => (await planCase(name)).plan));
    const actions = plans.flatMap((p) => p.actions);
    expect(new Set(actions.map((a) => a.kind))).toEqual(new Set(ACTION_KINDS));
    expect(actions.some((a) => a.destructive && !a.refused)).toBe(true);
    expect(actions.some((a) => a.destructive && a.refused)).toBe(true);
    expect(actions.some((a) => a.blocked)).toBe(true);
    expect(plans.some((p) => p.drift.length > 0)).toBe(true);
    expect(plans.some((p) => (p.skipped ?? []).length > 0)).toBe(true);
  });

  for (const name of cases) {
    it(`plans the "${name}" case as recorded in plan.txt`, async () => {
      const { plan } = await planCase(name);
      const text = renderPlanText(plan);
      const golden = join(casesDir, name, 'plan.txt');
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
      expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(text).toBe(readFileSync(golden, 'utf8'));
      expect(parseSavedPlan(renderPlanJson(plan), 'plan.json')).toEqual(plan);
    });

    it(`prints the "${name}" case as recorded when the plan is streamed a volume at a time (walbctl plan)`, async () => {
      const dir = join(casesDir, name);
      const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { host: string; now: string };
      const r = await walbctl(['plan', '--host', meta.host, '--desired', join(dir, 'desired.json'), '--observed', join(dir, 'observed.json'), '--now', meta.now]);
      expect(r.stdout).toBe(readFileSync(join(dir, 'plan.txt'), 'utf8'));
      expect(r.code).toBe(r.stdout.includes('\nError: ') ? 1 : 0);
    });
  }
});
