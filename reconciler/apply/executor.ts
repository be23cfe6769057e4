/**
 * The executor: runs a Plan exactly — its actions, in dependency order, through the driver — and
 * nothing else. Every step is journalled (fsynced) before the next one starts, so a run that crashes
 * is resumed by the next one: actions recorded as done are not run again, the action that was running
 * is run again (actions are idempotent), the rest run as planned.
 *
 * The caller holds the host lock (lock.ts). The executor never branches on an action's `reason`.
 */
import { randomUUID } from 'node:crypto';

import { runDriverAction, type Driver } from '../drivers/driver.js';
import { WalbctlError } from '../../common/errors.js';
import type { DesiredHost, DesiredState, DesiredVolume } from '../model/desired.js';
import type { Plan, PlanAction } from '../model/plan.js';
import { declaredVolumes } from '../observed/index.js';
import { readLastApplied } from '../observed/last-applied.js';
import { PlanRefusedError } from './errors.js';
import { gateAction } from './gate.js';
import { JournalWriter, readJournal, type ActionStatus } from './journal.js';
import { executionOrder } from './order.js';
import { Ownership } from './ownership.js';
import { statePaths } from './state-paths.js';
import { statKey } from '../../common/stat-key.js';

export interface ActionReport {
  id: string;
  kind: PlanAction['kind'];
  address: string;
  /** `not-run` when the run stopped (SIGTERM) before reaching it. */
  status: ActionStatus | 'not-run';
  /** Why it did not run or how it failed; null when done. */
  message: string | null;
  /** Milliseconds it ran; null when it did not run in this process. */
  ms: number | null;
  outcome: Record<string, unknown> | null;
  /** True when a previous (crashed) run had already finished it. */
  fromJournal: boolean;
}

export interface ApplyReport {
  host: string;
  revision: string | null;
  runId: string;
  /** True when this run rolled forward a journal left by a crash. */
  resumed: boolean;
  /** `ok` when every action is done; `failed` when one failed; `incomplete` when none failed but some did
   *  not run (blocked, refused, or waiting for one of those); `interrupted` when stopped before the end. */
  result: 'ok' | 'failed' | 'incomplete' | 'interrupted';
  actions: ActionReport[];
  counts: Record<ActionReport['status'], number>;
}

export interface ExecutorEvents {
  actionStart?(action: PlanAction): void;
  actionEnd?(action: PlanAction, report: ActionReport): void;
}

export interface ExecuteOptions {
  driver: Driver;
  desired: DesiredState;
  host: DesiredHost;
  allowDestroy?: boolean;
  /** Asked before each action: true stops the run after the running action (SIGTERM). */
  shouldStop?: () => boolean;
  signal?: AbortSignal;
  events?: ExecutorEvents;
  now?: () => Date;
}

/** Refuses a plan the executor must not run at all. */
export function checkPlanRunnable(plan: Plan, host: DesiredHost): void {
  if (plan.formatVersion !== 1) throw new PlanRefusedError(`format_version ${String(plan.formatVersion)} is not 1`);
  if (plan.host !== host.name) throw new PlanRefusedError(`it is for host ${plan.host}, not ${host.name}`);
  if (!plan.applyable) {
    const errors = plan.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.address}: ${d.message}`);
    throw new PlanRefusedError(`it has errors${errors.length ? ': ' + errors.join('; ') : ''}`);
  }
  executionOrder(plan.actions);
}

/** Runs `plan` from the start, journalling every step. */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<ApplyReport> {
  checkPlanRunnable(plan, options.host);
  const now = options.now ?? (() => new Date());
  const runId = randomUUID();
  const allowDestroy = options.allowDestroy ?? false;
  const journal = await JournalWriter.create(statePaths(options.host.dataDir).journal, { t: 'plan', at: now().toISOString(), runId, allowDestroy, plan });
  return run(plan, journal, { runId, resumed: false, done: new Set(), allowDestroy }, options);
}

/** Journals found ended, by file and stat key: a daemon pass does not read and parse one again (the
 *  plan of a first convergence of 100 volumes is 50 KB) until it changes. */
const endedJournals = new Map<string, string>();

/**
 * Rolls forward the plan a crashed run left in the journal, with the consent (--allow-destroy) it was
 * started with. Null when there is nothing to resume.
 */
export async function resumeJournal(options: Omit<ExecuteOptions, 'allowDestroy'>): Promise<ApplyReport | null> {
  const file = statePaths(options.host.dataDir).journal;
  // Taken before the read: a journal that changes meanwhile has another key next time.
  const key = statKey(file);
  if (key !== null && endedJournals.get(file) === key) return null;
  const contents = await readJournal(file);
  if (!contents || contents.ended) {
    if (contents && key !== null) endedJournals.set(file, key);
    return null;
  }
  checkPlanRunnable(contents.plan, options.host);
  const journal = await JournalWriter.reopen(file);
  await journal.append({ t: 'resume', at: (options.now ?? (() => new Date()))().toISOString(), pid: process.pid });
  return run(contents.plan, journal, { runId: contents.runId, resumed: true, done: contents.done, allowDestroy: contents.allowDestroy }, options);
}

async function run(
  plan: Plan,
  journal: JournalWriter,
  state: { runId: string; resumed: boolean; done: Set<string>; allowDestroy: boolean },
  options: ExecuteOptions,
): Promise<ApplyReport> {
  const now = options.now ?? (() => new Date());
  const volumes = declaredVolumes(options.host, options.desired, { proxied: options.host.roles.includes('proxy') && options.driver.proxy !== undefined });
  const ownership = new Ownership(options.host, options.desired);
  const lastApplied = await readLastApplied(options.host.dataDir);
  const statuses = new Map<string, ActionStatus>();
  const reports: ActionReport[] = [];
  let stopped = false;
  try {
    for (const action of executionOrder(plan.actions)) {
      const base = { id: action.id, kind: action.kind, address: action.address };
      if (state.done.has(action.id)) {
        statuses.set(action.id, 'done');
        reports.push({ ...base, status: 'done', message: null, ms: null, outcome: null, fromJournal: true });
        continue;
      }
      if (stopped || options.shouldStop?.()) {
        stopped = true;
        reports.push({ ...base, status: 'not-run', message: 'stopped before it ran', ms: null, outcome: null, fromJournal: false });
        continue;
      }
      const volumeName = action.address.slice(action.address.indexOf('/') + 1);
      const volume: DesiredVolume | null = volumes.get(volumeName) ?? null;
      const wasProtected = !volume && lastApplied?.volumes[volumeName]?.protect === true;
      let gate = gateAction(action, { volume, allowDestroy: state.allowDestroy, dependencyStatus: (id) => statuses.get(id), wasProtected });
      const owned = gate.run ? await ownership.check(action, volumeName, volume) : null;
      if (owned?.refuse) gate = { run: false, status: 'refused', message: owned.refuse };
      if (!gate.run) {
        statuses.set(action.id, gate.status);
        await journal.append({ t: 'skipped', at: now().toISOString(), id: action.id, status: gate.status, message: gate.message });
        const report: ActionReport = { ...base, status: gate.status, message: gate.message, ms: null, outcome: null, fromJournal: false };
        reports.push(report);
        options.events?.actionEnd?.(action, report);
        continue;
      }
      await journal.append({ t: 'start', at: now().toISOString(), id: action.id });
      options.events?.actionStart?.(action);
      const started = performance.now();
      let report: ActionReport;
      try {
        if (owned?.refuse === null) await owned.before?.();
        const mayRemove = owned && 'mayRemove' in owned ? owned.mayRemove : undefined;
        const context = { host: options.host, volume, volumeName, desired: options.desired, signal: options.signal, planCreatedAt: plan.createdAt, ...(mayRemove ? { mayRemove } : {}) };
        const outcome = (await runDriverAction(options.driver, action, context)) ?? null;
        if (owned?.refuse === null) await owned.after?.();
        const ms = Math.round(performance.now() - started);
        await journal.append({ t: 'done', at: now().toISOString(), id: action.id, ms, outcome });
        report = { ...base, status: 'done', message: null, ms, outcome, fromJournal: false };
      } catch (error) {
        const ms = Math.round(performance.now() - started);
        const e = describeError(error);
        await journal.append({ t: 'failed', at: now().toISOString(), id: action.id, ms, error: e });
        report = { ...base, status: 'failed', message: e.message, ms, outcome: null, fromJournal: false };
      }
      statuses.set(action.id, report.status as ActionStatus);
      reports.push(report);
      options.events?.actionEnd?.(action, report);
    }
    const counts = countStatuses(reports);
    const result = stopped ? 'interrupted' : counts.failed > 0 ? 'failed' : counts.blocked + counts.refused + counts.skipped > 0 ? 'incomplete' : 'ok';
    await journal.append({ t: 'end', at: now().toISOString(), result });
    return { host: plan.host, revision: plan.revision, runId: state.runId, resumed: state.resumed, result, actions: reports, counts };
  } finally {
    await journal.close();
  }
}

/** True when nothing failed, was refused or was cut short: what walbctl applied is what the host holds
 *  (blocked actions aside), so it may be recorded as last applied. */
export function settled(report: ApplyReport): boolean {
  return report.result !== 'interrupted' && report.counts.failed + report.counts.refused === 0;
}

function describeError(error: unknown): { code: string; message: string; retryable: boolean } {
  if (error instanceof WalbctlError) return { code: error.code, message: error.message, retryable: error.retryable };
  if (error instanceof Error) return { code: (error as NodeJS.ErrnoException).code ?? 'error', message: error.message, retryable: true };
  return { code: 'error', message: String(error), retryable: true };
}

function countStatuses(reports: ActionReport[]): ApplyReport['counts'] {
  const counts = { done: 0, failed: 0, blocked: 0, refused: 0, skipped: 0, 'not-run': 0 };
  for (const r of reports) counts[r.status]++;
  return counts;
}
