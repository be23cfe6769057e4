import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { executePlan, resumeJournal } from '../../../reconciler/apply/executor.js';
import { PlanRefusedError } from '../../../reconciler/apply/errors.js';
import { readJournal } from '../../../reconciler/apply/journal.js';
import { statePaths } from '../../../reconciler/apply/state-paths.js';
import { action, desiredFor, fakeDriver, plan, volume } from './fake-driver.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'walbctl-exec-'));

describe('executePlan', () => {
  it('runs every action after the ones it depends on, otherwise in plan order', async () => {
    const { desired, host } = desiredFor(tmp(), [volume('demo')]);
    const driver = fakeDriver();
    const p = plan([
      action('local/demo:snapshot', { dependsOn: ['local/demo:full-backup'] }),
      action('local/demo:init'),
      action('local/demo:full-backup', { dependsOn: ['local/demo:init'] }),
      action('local/demo:restore', { dependsOn: ['local/demo:snapshot'] }),
    ]);
    const report = await executePlan(p, { driver, desired, host });
    expect(driver.calls).toEqual(['local/demo:init', 'local/demo:full-backup', 'local/demo:snapshot', 'local/demo:restore']);
    expect(report.result).toBe('ok');
    expect(report.counts.done).toBe(4);
  });

  it('skips, and reports, the actions that depend on a failed one but runs independent ones', async () => {
    const { desired, host } = desiredFor(tmp(), [volume('a'), volume('b')]);
    const driver = fakeDriver();
    driver.failing.add('local/a:init');
    const report = await executePlan(
      plan([action('local/a:init'), action('local/a:full-backup', { dependsOn: ['local/a:init'] }), action('local/b:snapshot')]),
      { driver, desired, host },
    );
    expect(driver.calls).toEqual(['local/a:init', 'local/b:snapshot']);
    expect(report.result).toBe('failed');
    expect(report.actions.map((a) => [a.id, a.status])).toEqual([
      ['local/a:init', 'failed'],
      ['local/a:full-backup', 'skipped'],
      ['local/b:snapshot', 'done'],
    ]);
    expect(report.actions[1].message).toContain('waits for local/a:init (failed)');
  });

  it('reports a blocked action as blocked with its reason, does not run it, and calls the run incomplete, never ok', async () => {
    const { desired, host } = desiredFor(tmp(), [volume('demo')]);
    const driver = fakeDriver();
    const report = await executePlan(plan([action('local/demo:replicate', { blocked: 'replication needs the transport (not built yet)' })]), { driver, desired, host });
    expect(driver.calls).toEqual([]);
    expect(report.actions[0]).toMatchObject({ status: 'blocked', message: 'replication needs the transport (not built yet)' });
    expect(report.result).toBe('incomplete');
  });

  it('refuses a destructive action without --allow-destroy and runs it with it', async () => {
    const { desired, host } = desiredFor(tmp(), [volume('demo')]);
    const destroy = action('local/demo:clear', { destructive: true, change: 'delete' });
    const without = fakeDriver();
    const refused = await executePlan(plan([destroy]), { driver: without, desired, host });
    expect(without.calls).toEqual([]);
    expect(refused.actions[0]).toMatchObject({ status: 'refused' });
    expect(refused.actions[0].message).toContain('--allow-destroy');
    expect(refused.result).toBe('incomplete');
    const withConsent = fakeDriver();
    const done = await executePlan(plan([destroy]), { driver: withConsent, desired, host, allowDestroy: true });
    expect(withConsent.calls).toEqual(['local/demo:clear']);
    expect(done.result).toBe('ok');
  });

  it('never runs a destructive action on a protected volume, even with --allow-destroy', async () => {
    const { desired, host } = desiredFor(tmp(), [volume('demo', { protect: true })]);
    const driver = fakeDriver();
    const report = await executePlan(plan([action('local/demo:delete-restore', { destructive: true })]), { driver, desired, host, allowDestroy: true });
    expect(driver.calls).toEqual([]);
    expect(report.actions[0].message).toContain('protected');
  });

  it('refuses a plan with errors, a plan for another host, and a dependency cycle before running anything', async () => {
    const { desired, host } = desiredFor(tmp(), [volume('demo')]);
    const driver = fakeDriver();
    await expect(executePlan(plan([action('local/demo:init')], { applyable: false, diagnostics: [{ severity: 'error', address: 'local/demo', message: 'bad' }] }), { driver, desired, host })).rejects.toThrow(/it has errors: local\/demo: bad/);
    await expect(executePlan(plan([], { host: 'other' }), { driver, desired, host })).rejects.toBeInstanceOf(PlanRefusedError);
    await expect(
      executePlan(plan([action('local/demo:init', { dependsOn: ['local/demo:snapshot'] }), action('local/demo:snapshot', { dependsOn: ['local/demo:init'] })]), { driver, desired, host }),
    ).rejects.toThrow(/dependency cycle/);
    expect(driver.calls).toEqual([]);
  });

  it('stops after the running action when asked to stop, leaving the rest not run', async () => {
    const { desired, host } = desiredFor(tmp(), [volume('demo')]);
    const driver = fakeDriver();
    let stop = false;
    const report = await executePlan(plan([action('local/demo:init'), action('local/demo:snapshot')]), {
      driver,
      desired,
      host,
      shouldStop: () => stop,
      events: { actionEnd: () => void (stop = true) },
    });
    expect(driver.calls).toEqual(['local/demo:init']);
    expect(report.result).toBe('interrupted');
    expect(report.actions[1].status).toBe('not-run');
  });
});

describe('resumeJournal', () => {
  it('resumes an unfinished journal that replaced one it had found ended (and remembered as such)', async () => {
    const dataDir = tmp();
    const { desired, host } = desiredFor(dataDir, [volume('demo')]);
    await executePlan(plan([action('local/demo:init')]), { driver: fakeDriver(), desired, host });
    expect(await resumeJournal({ driver: fakeDriver(), desired, host })).toBeNull();
    expect(await resumeJournal({ driver: fakeDriver(), desired, host })).toBeNull();

    // A run that dies mid-action leaves a journal without an end record: it is resumed.
    const first = fakeDriver();
    first.hanging.add('local/demo:snapshot');
    void executePlan(plan([action('local/demo:snapshot')]), { driver: first, desired, host });
    await expect.poll(() => first.calls.length).toBe(1);
    const second = fakeDriver();
    const report = await resumeJournal({ driver: second, desired, host });
    expect(second.calls).toEqual(['local/demo:snapshot']);
    expect(report?.resumed).toBe(true);
  });

  it('rolls forward a crashed run: finished actions are not run again, the interrupted one and the rest are', async () => {
    const dataDir = tmp();
    const { desired, host } = desiredFor(dataDir, [volume('demo')]);
    const first = fakeDriver();
    first.hanging.add('local/demo:full-backup');
    const p = plan([action('local/demo:init'), action('local/demo:full-backup', { dependsOn: ['local/demo:init'] }), action('local/demo:snapshot')]);
    void executePlan(p, { driver: first, desired, host });
    await expect.poll(() => first.calls.length).toBe(2);
    // The first run is now "dead" mid-action: its journal has no end record.
    const journal = await readJournal(statePaths(dataDir).journal);
    expect(journal?.ended).toBe(false);
    expect([...(journal?.done ?? [])]).toEqual(['local/demo:init']);

    const second = fakeDriver();
    const report = await resumeJournal({ driver: second, desired, host });
    expect(second.calls).toEqual(['local/demo:full-backup', 'local/demo:snapshot']);
    expect(report?.resumed).toBe(true);
    expect(report?.actions[0]).toMatchObject({ id: 'local/demo:init', status: 'done', fromJournal: true });
    expect(await resumeJournal({ driver: fakeDriver(), desired, host })).toBeNull();
  });

  it('keeps the consent the crashed run had: no --allow-destroy then, no destruction now', async () => {
    const dataDir = tmp();
    const { desired, host } = desiredFor(dataDir, [volume('demo')]);
    const first = fakeDriver();
    first.hanging.add('local/demo:init');
    void executePlan(plan([action('local/demo:init'), action('local/demo:clear', { destructive: true })]), { driver: first, desired, host });
    await expect.poll(() => first.calls.length).toBe(1);
    const second = fakeDriver();
    const report = await resumeJournal({ driver: second, desired, host });
    expect(second.calls).toEqual(['local/demo:init']);
    expect(report?.actions[1].status).toBe('refused');
  });

  it('treats a torn last journal line as the crash point, not as corruption', async () => {
    const dataDir = tmp();
    const { desired, host } = desiredFor(dataDir, [volume('demo')]);
    const first = fakeDriver();
    first.hanging.add('local/demo:snapshot');
    void executePlan(plan([action('local/demo:init'), action('local/demo:snapshot')]), { driver: first, desired, host });
    await expect.poll(() => first.calls.length).toBe(2);
    const file = statePaths(dataDir).journal;
    const { appendFileSync } = await import('node:fs');
    appendFileSync(file, '{"t":"done","id":"local/demo:snap');
    const second = fakeDriver();
    const report = await resumeJournal({ driver: second, desired, host });
    expect(second.calls).toEqual(['local/demo:snapshot']);
    expect(report?.result).toBe('ok');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.every((l) => JSON.parse(l))).toBe(true);
  });
});

describe('executePlan and the planner\'s refusal', () => {
  it('never runs an action the plan marks refused, even with --allow-destroy', async () => {
    const { desired, host } = desiredFor(tmp(), []);
    const driver = fakeDriver();
    const report = await executePlan(plan([action('local/gone:clear', { destructive: true, refused: 'local/gone was protected when last applied' })]), { driver, desired, host, allowDestroy: true });
    expect(driver.calls).toEqual([]);
    expect(report.actions[0]).toMatchObject({ status: 'refused', message: 'local/gone was protected when last applied' });
  });
});
