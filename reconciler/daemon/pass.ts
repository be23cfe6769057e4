/**
 * One reconcile pass of a host, level-triggered: take the host lock, roll forward a crashed plan,
 * observe, plan, run what is not backing off, observe again, and write every volume's status from
 * what happened. Nothing here depends on what woke the daemon up.
 */
import type { Logger } from 'pino';

import { HostLockedError, JournalCorruptError } from '../apply/errors.js';
import { setJournalAside } from '../apply/journal.js';
import { statePaths } from '../apply/state-paths.js';
import { executePlan, resumeJournal, settled, type ActionReport, type ApplyReport } from '../apply/executor.js';
import { ensureDataDir } from '../apply/data-dir.js';
import { acquireHostLock } from '../apply/lock.js';
import type { Driver } from '../drivers/driver.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';
import type { ObservedState } from '../../common/observed.js';
import type { Plan, PlanAction } from '../model/plan.js';
import { declaredVolumes, observeHost } from '../observed/index.js';
import { writeLastApplied } from '../observed/last-applied.js';
import type { AskStatus } from '../fleet/peers.js';
import type { ForwardingFact } from '../observed/spool.js';
import type { Backoff } from './backoff.js';
import type { VolumeOutcome } from './conditions.js';
import type { DaemonMetrics } from './metrics.js';
import { withoutVolumes } from './select.js';
import { replicationStatus } from './replication-status.js';
import type { StatusStore } from './status-store.js';
import { volumeHealth } from './status-model.js';

export type PlanFunction = (desired: DesiredState, observed: ObservedState, now: Date) => { plan: Plan };

export interface PassContext {
  desired: DesiredState;
  host: DesiredHost;
  revision: string | null;
  driver: Driver;
  computePlan: PlanFunction;
  store: StatusStore;
  backoff: Backoff;
  metrics: Pick<DaemonMetrics, 'record'>;
  log: Logger;
  allowDestroy: boolean;
  shouldStop: () => boolean;
  now: () => Date;
  /** The wire's status call to the volumes' archives on other hosts (observation across hosts). */
  askPeer?: AskStatus;
  /** A proxy host: its forwarding loop's view of each queue (observed with the spool). */
  forwarding?: () => readonly ForwardingFact[];
  /** Told every observed state (the wire's lag figures read the newest). */
  onObserved?: (observed: ObservedState) => void;
}

export interface PassResult {
  /** The earliest time-driven action the planner expects next. */
  nextScheduledAt: number | null;
  /** True when every volume converged (blocked actions aside). */
  ok: boolean;
  locked: boolean;
  ran: number;
}

const volumeOf = (address: string) => address.slice(address.indexOf('/') + 1);

export async function runPass(ctx: PassContext): Promise<PassResult> {
  const { host, log, store } = ctx;
  if (await ensureDataDir(host, { mayCreate: false })) log.info({ dataDir: host.dataDir }, `created the data directory ${host.dataDir} (createDataDir: true in the host file)`);
  let lock;
  try {
    lock = await acquireHostLock(host.dataDir, { host: host.name, operation: 'daemon' });
  } catch (error) {
    if (!(error instanceof HostLockedError)) throw error;
    log.warn({ holder: error.holder }, error.message);
    for (const [name, v] of declaredVolumes(host, ctx.desired)) store.setOutcome(name, v.address, { kind: 'locked', message: error.message }, ctx.now());
    await store.flush();
    return { nextScheduledAt: null, ok: false, locked: true, ran: 0 };
  }
  if (lock.tookOverFrom) log.warn({ stale: lock.tookOverFrom }, `took over a stale lock of pid ${lock.tookOverFrom.pid} (${lock.tookOverFrom.operation})`);
  try {
    const events = actionEvents(ctx);
    const resumed = await resumeJournal({ driver: ctx.driver, desired: ctx.desired, host, shouldStop: ctx.shouldStop, events }).catch(async (error: unknown) => {
      if (!(error instanceof JournalCorruptError)) throw error;
      // Level-triggered: what the journal would have finished, the next plan derives again.
      const aside = await setJournalAside(statePaths(host.dataDir).journal, ctx.now());
      log.error({ err: error, aside }, `${error.message}; moved it to ${aside} and planning afresh`);
      return null;
    });
    if (resumed) log.info({ runId: resumed.runId, counts: resumed.counts, result: resumed.result }, `resumed the plan a crash interrupted (${resumed.counts.done} done)`);
    if (ctx.shouldStop()) return { nextScheduledAt: null, ok: false, locked: false, ran: 0 };

    // A volume that cannot be observed is not planned for: acting on a guess could do harm.
    const unobservable = new Map<string, string>();
    const onVolumeError = (name: string, error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      unobservable.set(name, message);
      log.error({ volume: name, err: error }, `cannot observe: ${message}`);
    };
    const peers = { ...(ctx.askPeer ? { askPeer: ctx.askPeer } : {}), ...(ctx.forwarding ? { forwarding: ctx.forwarding } : {}) };
    let observed = await observeHost(host, ctx.desired, { driver: ctx.driver, onVolumeError, ...peers });
    ctx.onObserved?.(observed);
    const { plan } = ctx.computePlan(ctx.desired, observed, ctx.now());
    for (const d of plan.diagnostics) log[d.severity === 'error' ? 'error' : 'warn']({ address: d.address }, d.message);
    const nowMs = ctx.now().getTime();
    let report: ApplyReport | null = null;
    let heldBack: string[] = [];
    if (plan.applyable) {
      const selected = withoutVolumes(plan, (address) => ctx.backoff.waiting(address, nowMs) || unobservable.has(volumeOf(address)));
      heldBack = selected.heldBack;
      if (selected.plan.actions.length > 0) {
        log.info({ revision: plan.revision, actions: selected.plan.actions.length }, `applying ${selected.plan.actions.length} action(s): ${summarise(selected.plan.actions)}`);
        report = await executePlan(selected.plan, { driver: ctx.driver, desired: ctx.desired, host, allowDestroy: ctx.allowDestroy, shouldStop: ctx.shouldStop, events });
        observed = await observeHost(host, ctx.desired, { driver: ctx.driver, onVolumeError: (name, error) => void unobservable.set(name, (error as Error).message ?? String(error)), ...peers });
        ctx.onObserved?.(observed);
      }
    }
    const ok = recordOutcomes(ctx, { plan, report, heldBack, observed, unobservable });
    if (ok && report && settled(report)) {
      const protect = Object.fromEntries([...declaredVolumes(host, ctx.desired)].map(([n, v]) => [n, v.protect]));
      await writeLastApplied(host.dataDir, observed, { revision: ctx.revision, protect });
    }
    await store.flush();
    const upcoming = (plan.upcoming ?? []).map((u) => Date.parse(u.at)).filter((t) => Number.isFinite(t));
    return { nextScheduledAt: upcoming.length ? Math.min(...upcoming) : null, ok, locked: false, ran: report?.actions.filter((a) => a.ms !== null).length ?? 0 };
  } finally {
    await lock.release();
  }
}

function summarise(actions: PlanAction[]): string {
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

function actionEvents(ctx: PassContext) {
  return {
    actionStart(action: PlanAction) {
      const volume = volumeOf(action.address);
      ctx.store.status.running = action.id;
      ctx.store.setOutcome(volume, action.address, { kind: 'progressing', message: `running ${action.kind}` }, ctx.now());
      ctx.log.info({ volume, action: action.id, params: action.params }, `${action.kind} started (${action.reason})`);
      void ctx.store.flush();
    },
    actionEnd(action: PlanAction, report: ActionReport) {
      const volume = volumeOf(action.address);
      ctx.store.status.running = null;
      ctx.metrics.record(action.kind, report.status, report.ms === null ? null : report.ms / 1000);
      const took = report.ms === null ? '' : ` in ${(report.ms / 1000).toFixed(1)} s${brief(report.outcome)}`;
      const detail = { volume, action: action.id, status: report.status, ms: report.ms, outcome: report.outcome ?? undefined };
      if (report.status === 'done') ctx.log.info(detail, `${action.kind} done${took}`);
      else if (report.status === 'failed') ctx.log.error(detail, `${action.kind} failed${took}: ${report.message}`);
      else ctx.log.warn(detail, `${action.kind} ${report.status}: ${report.message}`);
    },
  };
}

/** ` (gid 4, diffBytes 4128)`: an action's outcome in a few words for the readable log line. */
function brief(outcome: Record<string, unknown> | null): string {
  if (!outcome) return '';
  if (outcome.already === true) return ' (already done)';
  const parts = Object.entries(outcome)
    .filter(([k, v]) => k !== 'seconds' && k !== 'already' && k !== 'path' && (typeof v === 'number' || typeof v === 'string'))
    .slice(0, 4)
    .map(([k, v]) => `${k} ${String(v)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * The actions that did not run and why, refused and blocked ones first, then those waiting for them:
 * `local/demo:replicate:b: the transport … ; waiting: local/demo:verify-restore:x (waits for …)`.
 */
function notRun(mine: ActionReport[]): string {
  const stuck = mine.filter((r) => r.status === 'refused' || r.status === 'blocked').map((r) => `${r.id}: ${r.message}`);
  const waiting = mine.filter((r) => r.status === 'skipped').map((r) => `${r.id} (${r.message})`);
  return waiting.length > 0 ? `${stuck.join('; ')}; waiting: ${waiting.join(', ')}` : stuck.join('; ');
}

/** Sets every volume's status from the pass; true when all of them converged. */
function recordOutcomes(ctx: PassContext, pass: { plan: Plan; report: ApplyReport | null; heldBack: string[]; observed: ObservedState; unobservable: Map<string, string> }): boolean {
  const { store, backoff, host } = ctx;
  const now = ctx.now();
  const declared = declaredVolumes(host, ctx.desired);
  const names = new Set([...declared.keys(), ...Object.keys(pass.observed.volumes), ...pass.unobservable.keys()]);
  store.retain(names);
  const reports = new Map<string, ActionReport[]>();
  for (const r of pass.report?.actions ?? []) reports.set(r.address, [...(reports.get(r.address) ?? []), r]);
  const planned = new Map<string, PlanAction[]>();
  for (const a of pass.plan.actions) planned.set(a.address, [...(planned.get(a.address) ?? []), a]);
  let allOk = true;
  for (const name of names) {
    // A volume archived here but stored elsewhere keeps its address (`db/pg`).
    const address = declared.get(name)?.address ?? `${host.name}/${name}`;
    const v = store.volume(name, address);
    const cannotObserve = pass.unobservable.get(name);
    if (cannotObserve === undefined) {
      store.setObserved(name, address, pass.observed.volumes[name]);
      store.setReplication(name, address, replicationStatus(host.name, declared.get(name), pass.observed.volumes[name]?.archive), now);
      const volume = declared.get(name);
      v.health = volume ? volumeHealth(host.name, volume, pass.observed.volumes[name], now.getTime()) : undefined;
      const shipping = pass.observed.volumes[name]?.storage?.shipping;
      if (shipping) v.shipping = shipping;
      else delete v.shipping;
      const spool = pass.observed.volumes[name]?.spool;
      if (spool) v.spool = spool;
      else delete v.spool;
    }
    const next = (pass.plan.upcoming ?? []).filter((u) => u.address === address).sort((a, b) => a.at.localeCompare(b.at))[0];
    v.nextScheduled = next ? { kind: next.kind, at: next.at } : null;
    v.lastAttemptedRevision = store.status.desired.lastAttemptedRevision ?? ctx.revision;
    const mine = reports.get(address) ?? [];
    v.unfinished = mine.filter((r) => r.status !== 'done').map((r) => ({ id: r.id, status: r.status, message: r.message ?? '' }));
    const outcome: VolumeOutcome =
      cannotObserve !== undefined
        ? { kind: 'failed', message: `cannot observe the volume: ${cannotObserve}`, retryAt: new Date(backoff.fail(address, now.getTime())).toISOString() }
        : outcomeOf({ name, address, mine, planned: planned.get(address) ?? [], pass, ctx, suspended: declared.get(name)?.suspend ?? false, protect: declared.get(name)?.protect ?? false });
    if (outcome.kind === 'succeeded') {
      backoff.succeed(address);
      v.lastAppliedRevision = ctx.revision;
      v.lastSucceededAt = now.toISOString();
    } else if (outcome.kind !== 'suspended' && outcome.kind !== 'stuck') {
      allOk = false;
    }
    v.failures = backoff.failuresOf(address);
    const retry = backoff.retryAt(address);
    v.retryAt = retry !== null && retry > now.getTime() ? new Date(retry).toISOString() : null;
    store.setOutcome(name, address, outcome, now);
  }
  return allOk;
}

function outcomeOf(input: {
  name: string;
  address: string;
  mine: ActionReport[];
  planned: PlanAction[];
  pass: { plan: Plan; heldBack: string[] };
  ctx: PassContext;
  suspended: boolean;
  protect: boolean;
}): VolumeOutcome {
  const { address, mine, planned, pass, ctx } = input;
  const now = ctx.now().getTime();
  if (input.suspended) return { kind: 'suspended' };
  if (!pass.plan.applyable) {
    const errors = pass.plan.diagnostics.filter((d) => d.severity === 'error' && (d.address === address || !d.address.includes('/')));
    const message = `the plan has errors: ${(errors.length ? errors : pass.plan.diagnostics).map((d) => d.message).join('; ')}`;
    const until = ctx.backoff.fail(address, now);
    return { kind: 'failed', message, retryAt: new Date(until).toISOString() };
  }
  const failed = mine.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    const until = ctx.backoff.fail(address, now);
    return { kind: 'failed', message: failed.map((r) => `${r.kind} failed: ${r.message}`).join('; '), retryAt: new Date(until).toISOString() };
  }
  if (pass.heldBack.some((id) => planned.some((a) => a.id === id))) {
    const retry = ctx.backoff.retryAt(address) ?? now;
    return { kind: 'failed', message: `backing off after ${ctx.backoff.failuresOf(address)} failed attempt(s)`, retryAt: new Date(retry).toISOString() };
  }
  if (mine.some((r) => r.status === 'not-run')) return { kind: 'progressing', message: 'stopped before all actions ran' };
  const refused = mine.filter((r) => r.status === 'refused');
  if (refused.length > 0) {
    const byPlanner = refused.some((r) => planned.find((a) => a.id === r.id)?.refused);
    // Refused although nothing destroys data: the file is not the reconciler's (apply/ownership.ts).
    const notOwned = !byPlanner && refused.every((r) => planned.find((a) => a.id === r.id)?.destructive === false);
    return { kind: 'stuck', reason: byPlanner || (input.protect && !notOwned) ? 'Protected' : notOwned ? 'NotOwned' : 'DestroyNotAllowed', message: notRun(mine) };
  }
  if (mine.some((r) => r.status === 'blocked')) return { kind: 'stuck', reason: 'Blocked', message: notRun(mine) };
  const done = mine.filter((r) => r.status === 'done').length;
  return { kind: 'succeeded', message: done > 0 ? `applied ${done} action(s) of ${ctx.revision ?? 'the working tree'}` : `up to date with ${ctx.revision ?? 'the working tree'}` };
}
