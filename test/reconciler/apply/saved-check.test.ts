/**
 * An edited saved plan never gets past protect or --allow-destroy: apply plans again from the same
 * revision and live state and refuses a file that differs, naming the field and the action.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { PlanTamperedError } from '../../../reconciler/apply/errors.js';
import { executePlan } from '../../../reconciler/apply/executor.js';
import { parseSavedPlan } from '../../../reconciler/plan/saved-plan.js';
import { renderPlanJson } from '../../../reconciler/render/plan-json.js';
import { action, desiredFor, fakeDriver, plan } from './fake-driver.js';
import { localTree, volumeYaml } from './local-tree.js';

/** `localTree` with a saved plan: `walbctl plan --out` as JSON to edit, and apply of the edited file. */
function tree(volumes: string) {
  const t = localTree(volumes);
  const saved = async () => JSON.parse(renderPlanJson(await t.plan())) as { resource_changes: Record<string, unknown>[] };
  const applySaved = async (doc: unknown, options: { allowDestroy?: boolean } = {}) => t.apply({ ...options, saved: parseSavedPlan(JSON.stringify(doc), 'p.json') });
  return { ...t, saved, applySaved };
}
const volume = (name: string, extra = '') => volumeYaml(name, undefined, extra);

describe('a saved plan', () => {
  it('is refused when edited to clear a protected volume removed from the tree, naming what was edited', async () => {
    const t = tree(volume('demo', '    protect: true\n') + volume('keep'));
    expect((await t.apply()).result).toBe('ok');
    t.write(volume('keep'));
    const doc = await t.saved();
    const clears = doc.resource_changes.filter((a) => a.kind === 'clear');
    expect(clears.map((a) => [a.id, a.destructive, typeof a.refused])).toEqual([
      ['local/demo:clear:storage', true, 'string'],
      ['local/demo:clear:archive', true, 'string'],
    ]);
    for (const a of doc.resource_changes) {
      a.destructive = false;
      a.refused = null;
    }
    const refused = t.applySaved(doc, { allowDestroy: true });
    await expect(refused).rejects.toThrow(PlanTamperedError);
    await expect(refused).rejects.toThrow(/resource_changes\[\d+\] \(local\/demo, local\/demo:clear:storage\): destructive is false in the file, walbctl decides true; .*refused is null in the file, walbctl decides "local\/demo was protected when last applied/);
    expect(existsSync(join(t.dir, 'data/archive/demo'))).toBe(true);
    expect(existsSync(join(t.dir, 'data/storage/demo'))).toBe(true);
  });

  it('is refused when an action\'s device is edited to a path the repository does not name', async () => {
    const t = tree(volume('demo'));
    const doc = await t.saved();
    const init = doc.resource_changes.find((a) => a.id === 'local/demo:init:storage')!;
    (init.params as Record<string, unknown>).device = '/tmp/elsewhere.img';
    await expect(t.applySaved(doc)).rejects.toThrow(/resource_changes\[\d+\] \(local\/demo, local\/demo:init:storage\): params\.device is "\/tmp\/elsewhere\.img" in the file, walbctl decides ".*\/data\/volumes\/demo\.img"/);
    expect(existsSync(join(t.dir, 'data/storage/demo'))).toBe(false);
  });

  it('is refused when an action is added or left out', async () => {
    const t = tree(volume('demo'));
    const doc = await t.saved();
    const [first, ...rest] = doc.resource_changes;
    await expect(t.applySaved({ ...doc, resource_changes: rest.map((a) => ({ ...a, depends_on: [] })) })).rejects.toThrow(`action ${String(first!.id)} (local/demo) is missing from the file`);
    const extra = { ...first, id: 'local/demo:clear:archive', kind: 'clear', change: { actions: ['delete'] }, params: { role: 'archive' }, depends_on: [] };
    await expect(t.applySaved({ ...doc, resource_changes: [...doc.resource_changes, extra] })).rejects.toThrow('(local/demo, local/demo:clear:archive) is not an action walbctl plans');
  });

  it('applies unedited, with only its display reason changed', async () => {
    const t = tree(volume('demo'));
    const doc = await t.saved();
    for (const a of doc.resource_changes) a.action_reason = 'edited for display';
    expect((await t.applySaved(doc)).result).toBe('ok');
  });
});

describe('the executor', () => {
  it('decides from the action\'s kind that a clear destroys data, whatever its destructive flag says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-gate-'));
    const { desired, host } = desiredFor(dir, []);
    const driver = fakeDriver();
    const report = await executePlan(plan([action('local/old:clear', { destructive: false, change: 'delete', params: { role: 'archive' } })]), { driver, desired, host });
    expect(driver.calls).toEqual([]);
    expect(report.actions[0]).toMatchObject({ status: 'refused', message: 'destroys data: runs only with --allow-destroy' });
  });
});
