/**
 * `walbctl apply` as a function: under the host lock, roll forward a crashed plan, observe, then
 * apply either a fresh plan or a saved one — refused as stale when the revision or the live state
 * moved since it was made — and record what was applied.
 */
import type { Driver } from '../drivers/driver.js';
import { driverFor } from '../drivers/index.js';
import type { Plan } from '../model/plan.js';
import { declaredVolumes, observeHost } from '../observed/index.js';
import { writeLastApplied } from '../observed/last-applied.js';
import { computePlan } from '../plan/compute.js';
import { planStaleness } from '../plan/stale.js';
import { replanSaved } from './saved-check.js';
import { StalePlanError } from './errors.js';
import { checkPlanRunnable, executePlan, resumeJournal, settled, type ApplyReport, type ExecutorEvents } from './executor.js';
import type { HostContext } from './host-context.js';
import { ensureDataDir } from './data-dir.js';
import { acquireHostLock } from './lock.js';

export interface ApplyHostOptions {
  /** A saved plan to apply exactly; without it, a plan is computed now. */
  saved?: Plan;
  allowDestroy?: boolean;
  driver?: Driver;
  events?: ExecutorEvents;
  /** Told about a journal rolled forward before the plan (a crash of an earlier run). */
  onResumed?: (report: ApplyReport) => void;
  /** Told about the plan before it runs. */
  onPlan?: (plan: Plan) => void;
  shouldStop?: () => boolean;
  now?: () => Date;
  /** Told when the run created the host's missing data directory (the first init). */
  onCreatedDataDir?: (path: string) => void;
}

export async function applyHost(context: HostContext, options: ApplyHostOptions = {}): Promise<ApplyReport> {
  const { desired, host } = context;
  const now = options.now ?? (() => new Date());
  const driver = options.driver ?? (await driverFor(host));
  if (await ensureDataDir(host, { mayCreate: true })) options.onCreatedDataDir?.(host.dataDir);
  const lock = await acquireHostLock(host.dataDir, { host: host.name, operation: 'apply', now });
  try {
    const resumed = await resumeJournal({ driver, desired, host, events: options.events, shouldStop: options.shouldStop, now });
    if (resumed) options.onResumed?.(resumed);
    let observed = await observeHost(host, desired, { driver, now });
    let plan: Plan;
    if (options.saved) {
      plan = options.saved;
      checkPlanRunnable(plan, host);
      const why = planStaleness(plan, desired.revision, observed);
      if (why) throw new StalePlanError(why);
      // Run what walbctl decides from the same inputs, never flags read from an editable file.
      plan = replanSaved(plan, desired, observed);
    } else {
      plan = computePlan(desired, observed, now()).plan;
    }
    options.onPlan?.(plan);
    const report = await executePlan(plan, { driver, desired, host, allowDestroy: options.allowDestroy, events: options.events, shouldStop: options.shouldStop, now });
    if (settled(report)) {
      observed = await observeHost(host, desired, { driver, now });
      const protect = Object.fromEntries([...declaredVolumes(host, desired)].map(([n, v]) => [n, v.protect]));
      await writeLastApplied(host.dataDir, observed, { revision: desired.revision, protect });
    }
    return report;
  } finally {
    await lock.release();
  }
}
