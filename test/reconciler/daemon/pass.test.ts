import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { statePaths } from '../../../reconciler/apply/state-paths.js';
import { Backoff } from '../../../reconciler/daemon/backoff.js';
import { DaemonMetrics } from '../../../reconciler/daemon/metrics.js';
import { runPass, type PassContext } from '../../../reconciler/daemon/pass.js';
import { StatusStore } from '../../../reconciler/daemon/status-store.js';
import type { DesiredVolume } from '../../../reconciler/model/desired.js';
import type { Plan } from '../../../reconciler/model/plan.js';
import { readLastApplied } from '../../../reconciler/observed/last-applied.js';
import { action, desiredFor, fakeDriver, plan, volume, type FakeDriver } from '../apply/fake-driver.js';

const REV = 'main@sha1:' + 'a'.repeat(40);

function setup(volumes: DesiredVolume[], makePlan: () => Plan) {
  const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-pass-'));
  const { desired, host } = desiredFor(dataDir, volumes);
  const driver = fakeDriver();
  let clock = Date.parse('2026-11-21T10:00:00.000Z');
  const store = new StatusStore({
    formatVersion: 1, host: 'local', pid: process.pid, startedAt: new Date(clock).toISOString(),
    source: { repo: '.', branch: 'main', workdir: '/w', revision: REV, subject: null, fetchedAt: null, error: null },
    desired: { lastGoodRevision: REV, lastAttemptedRevision: REV, valid: true, diagnostics: [] },
    lastPassAt: null, nextPassAt: null, running: null, volumes: {},
  });
  store.setFile(statePaths(dataDir).status);
  const ctx: PassContext = {
    desired, host, revision: REV, driver, store,
    computePlan: () => ({ plan: makePlan() }),
    backoff: new Backoff(), metrics: new DaemonMetrics({ status: () => store.status, now: () => clock }, { processMetrics: false }),
    log: pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() })),
    allowDestroy: false, shouldStop: () => false, now: () => new Date(clock),
  };
  return { ctx, driver: driver as FakeDriver, dataDir, store, advance: (ms: number) => void (clock += ms) };
}

const ready = (store: StatusStore, name: string) => store.status.volumes[name]?.conditions.find((c) => c.type === 'Ready');
const stalled = (store: StatusStore, name: string) => store.status.volumes[name]?.conditions.find((c) => c.type === 'Stalled');

describe('one reconcile pass', () => {
  it('runs the plan, marks the volume Ready at the revision and records what was applied', async () => {
    const { ctx, driver, dataDir, store } = setup([volume('demo')], () => plan([action('local/demo:snapshot')], { upcoming: [{ address: 'local/demo', kind: 'snapshot', at: '2026-11-21T10:01:00.000Z' }] }));
    const result = await runPass(ctx);
    expect(driver.calls).toEqual(['local/demo:snapshot']);
    expect(result).toMatchObject({ ok: true, ran: 1, nextScheduledAt: Date.parse('2026-11-21T10:01:00.000Z') });
    expect(ready(store, 'demo')).toMatchObject({ status: 'True', reason: 'ReconciliationSucceeded' });
    expect(store.status.volumes.demo).toMatchObject({ lastAppliedRevision: REV, nextScheduled: { kind: 'snapshot', at: '2026-11-21T10:01:00.000Z' } });
    expect((await readLastApplied(dataDir))?.revision).toBe(REV);
  });

  it('backs a failing volume off, holds its actions back meanwhile, and retries after the delay', async () => {
    const { ctx, driver, store, advance } = setup([volume('a'), volume('b')], () => plan([action('local/a:snapshot'), action('local/b:snapshot')]));
    driver.failing.add('local/a:snapshot');
    await runPass(ctx);
    expect(ready(store, 'a')).toMatchObject({ status: 'False', reason: 'ActionFailed' });
    expect(store.status.volumes.a).toMatchObject({ failures: 1, retryAt: '2026-11-21T10:00:00.750Z' });
    expect(ready(store, 'b')?.status).toBe('True');

    advance(500);
    driver.calls.length = 0;
    await runPass(ctx);
    expect(driver.calls).toEqual(['local/b:snapshot']);
    expect(ready(store, 'a')?.message).toContain('backing off after 1 failed attempt');

    advance(300);
    driver.calls.length = 0;
    driver.failing.clear();
    await runPass(ctx);
    expect(driver.calls).toEqual(['local/a:snapshot', 'local/b:snapshot']);
    expect(ready(store, 'a')?.status).toBe('True');
    expect(store.status.volumes.a.failures).toBe(0);
  });

  it('stalls on a destructive action without consent, and says Protected on a protected volume', async () => {
    const destroy = () => plan([action('local/a:delete-restore', { destructive: true }), action('local/p:delete-restore', { destructive: true })]);
    const { ctx, driver, store } = setup([volume('a'), volume('p', { protect: true })], destroy);
    const result = await runPass(ctx);
    expect(driver.calls).toEqual([]);
    expect(stalled(store, 'a')).toMatchObject({ status: 'True', reason: 'DestroyNotAllowed' });
    expect(stalled(store, 'p')).toMatchObject({ status: 'True', reason: 'Protected' });
    expect(result.ok).toBe(true);
  });

  it('stalls with NotOwned, not DestroyNotAllowed, when a restore would overwrite a file walbctl did not make', async () => {
    const { ctx, driver, store, dataDir } = setup([volume('demo')], () => plan([]));
    const mine = join(dataDir, 'mine.img');
    writeFileSync(mine, 'operator data');
    ctx.computePlan = () => ({ plan: plan([action('local/demo:restore', { params: { name: 'r', gid: 2, path: mine } })]) });
    await runPass(ctx);
    expect(driver.calls).toEqual([]);
    expect(stalled(store, 'demo')).toMatchObject({ status: 'True', reason: 'NotOwned' });
    expect(stalled(store, 'demo')?.message).toContain(`${mine} exists and walbctl did not make it`);
  });

  it('reports a blocked action as Stalled with the reason the plan gives', async () => {
    const { ctx, store } = setup([volume('demo')], () => plan([action('local/demo:replicate', { blocked: 'needs the transport' })]));
    await runPass(ctx);
    expect(stalled(store, 'demo')).toMatchObject({ status: 'True', reason: 'Blocked', message: 'local/demo:replicate: needs the transport' });
    expect(store.status.volumes.demo.unfinished).toEqual([{ id: 'local/demo:replicate', status: 'blocked', message: 'needs the transport' }]);
  });

  it('names in the Stalled condition each blocked action and each action waiting for it, with why, and runs the independent ones', async () => {
    const { ctx, store, driver } = setup([volume('demo')], () => plan([
      action('local/demo:replicate:b', { blocked: 'needs the transport' }),
      action('local/demo:snapshot'),
      action('local/demo:synchronize:c', { dependsOn: ['local/demo:replicate:b'] }),
    ]));
    await runPass(ctx);
    expect(driver.calls).toEqual(['local/demo:snapshot']);
    expect(stalled(store, 'demo')).toMatchObject({
      status: 'True', reason: 'Blocked',
      message: 'local/demo:replicate:b: needs the transport; waiting: local/demo:synchronize:c (waits for local/demo:replicate:b (blocked))',
    });
    expect(store.status.volumes.demo.conditions.filter((c) => c.status === 'True').map((c) => c.type)).toEqual(['Stalled']);
  });

  it('does nothing while another process holds the host lock, and says who', async () => {
    const { ctx, driver, dataDir, store } = setup([volume('demo')], () => plan([action('local/demo:snapshot')]));
    mkdirSync(statePaths(dataDir).dir, { recursive: true });
    writeFileSync(statePaths(dataDir).lock, JSON.stringify({ id: 'other-id', operation: 'apply', who: 'me@here', pid: process.ppid, machine: hostname(), since: '2026-11-21T09:59:00.000Z' }));
    const result = await runPass(ctx);
    expect(result.locked).toBe(true);
    expect(driver.calls).toEqual([]);
    expect(ready(store, 'demo')).toMatchObject({ status: 'Unknown', reason: 'HostLocked' });
    expect(ready(store, 'demo')?.message).toContain('ID other-id');
  });

  it('marks a suspended volume Suspended', async () => {
    const { ctx, store } = setup([volume('demo', { suspend: true })], () => plan([], { skipped: [{ address: 'local/demo', reason: 'suspend: true' }] }));
    await runPass(ctx);
    expect(ready(store, 'demo')).toMatchObject({ status: 'False', reason: 'Suspended' });
    expect(stalled(store, 'demo')).toMatchObject({ status: 'True', reason: 'Suspended' });
  });
});

describe('a volume the driver cannot observe', () => {
  it('is not acted on, is marked failed with the reason, and does not stop the other volumes', async () => {
    const { ctx, driver, store } = setup([volume('bad'), volume('good')], () => plan([action('local/bad:init'), action('local/good:snapshot')]));
    driver.archive.observe = async (t) => {
      if (t.name === 'bad') throw new Error('meta.json: checksum mismatch');
      return undefined;
    };
    const result = await runPass(ctx);
    expect(driver.calls).toEqual(['local/good:snapshot']);
    expect(result.ok).toBe(false);
    expect(ready(store, 'bad')).toMatchObject({ status: 'False', reason: 'ActionFailed', message: 'cannot observe the volume: meta.json: checksum mismatch' });
    expect(store.status.volumes.bad.retryAt).not.toBeNull();
    expect(ready(store, 'good')?.status).toBe('True');
  });
});

describe('a journal that cannot be read', () => {
  it('is moved aside and the pass plans afresh', async () => {
    const { ctx, driver, dataDir, store } = setup([volume('demo')], () => plan([action('local/demo:snapshot')]));
    mkdirSync(statePaths(dataDir).dir, { recursive: true });
    writeFileSync(statePaths(dataDir).journal, '{"t":"plan"\n{broken\n{"t":"end"}\n');
    await runPass(ctx);
    expect(driver.calls).toEqual(['local/demo:snapshot']);
    expect(ready(store, 'demo')?.status).toBe('True');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(statePaths(dataDir).dir).some((f) => /^journal\.corrupt-.*\.jsonl$/.test(f))).toBe(true);
  });
});
