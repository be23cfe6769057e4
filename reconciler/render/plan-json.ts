/**
 * A Plan as versioned JSON, in the manner of `terraform show -json`: `format_version`, the plan's
 * identity (host, revision, observed digest), `resource_changes[]` with `address`, `change.actions`
 * and `action_reason`, drift, diagnostics and the summary. The document carries every field of the
 * Plan once, so the same file is what `walbctl plan --out` saves and `walbctl apply plan.json` reads
 * back exactly (plan/saved-plan.ts). Format 1.x also held a second copy of the Plan under `plan`,
 * which doubled a large host's output; 2.0 dropped it. 2.1 added `whole` and the summary's
 * `blocked`, `refused` and `waiting` (actions that cannot run are not counted as changes).
 */
import type { Plan, PlanAction } from '../model/plan.js';
import { hasChanges, isWhole, summarize, type PlanSummary } from '../plan/summary.js';
import { collect, type Write } from './chunks.js';

export const PLAN_JSON_FORMAT_VERSION = '2.1';

export interface ResourceChange {
  id: string;
  address: string;
  kind: PlanAction['kind'];
  change: { actions: [PlanAction['change']] };
  params: PlanAction['params'];
  depends_on: string[];
  action_reason: string;
  destructive: boolean;
  blocked: string | null;
  refused: string | null;
}

export interface PlanJson {
  format_version: string;
  host: string;
  revision: string | null;
  observed_at: string;
  observed_digest: string;
  created_at: string;
  complete: boolean;
  applyable: boolean;
  changes: boolean;
  /** False when some actions cannot run (blocked, refused, or waiting for those): see summary. */
  whole: boolean;
  summary: PlanSummary;
  drift: Plan['drift'];
  resource_changes: ResourceChange[];
  skipped: NonNullable<Plan['skipped']>;
  upcoming: NonNullable<Plan['upcoming']>;
  diagnostics: Plan['diagnostics'];
}

export function planToJson(plan: Plan): PlanJson {
  return { ...header(plan), resource_changes: plan.actions.map(resourceChange), ...trailer(plan) };
}

export function resourceChange(a: PlanAction): ResourceChange {
  return {
    id: a.id,
    address: a.address,
    kind: a.kind,
    change: { actions: [a.change] },
    params: a.params,
    depends_on: a.dependsOn,
    action_reason: a.reason,
    destructive: a.destructive,
    blocked: a.blocked,
    refused: a.refused ?? null,
  };
}

export function renderPlanJson(plan: Plan): string {
  return collect((write) => {
    writePlanJson(plan, write);
    write('\n');
  });
}

/**
 * The same text as JSON.stringify(planToJson(plan)), written in pieces: the header, then
 * resource_changes a batch of actions at a time (one JSON.stringify per batch, without a mapped copy
 * of the whole list), then the trailer.
 */
export function writePlanJson(plan: Plan, write: Write): void {
  const head = JSON.stringify(header(plan));
  write(head.slice(0, -1) + ',"resource_changes":');
  const actions = plan.actions;
  if (actions.length === 0) write('[]');
  for (let i = 0; i < actions.length; i += BATCH) {
    const batch: ResourceChange[] = [];
    for (let j = i; j < actions.length && j < i + BATCH; j++) batch.push(resourceChange(actions[j]!));
    const text = JSON.stringify(batch);
    // Each batch is an array; joined, the brackets between batches become commas.
    write((i === 0 ? '[' : ',') + text.slice(1, -1) + (i + BATCH >= actions.length ? ']' : ''));
  }
  write(',' + JSON.stringify(trailer(plan)).slice(1));
}

/** Actions per JSON.stringify call: large enough to amortise the call, small enough to stay young. */
const BATCH = 256;

function header(plan: Plan): Omit<PlanJson, 'resource_changes' | 'skipped' | 'upcoming' | 'diagnostics'> {
  const summary = summarize(plan);
  return {
    format_version: PLAN_JSON_FORMAT_VERSION,
    host: plan.host,
    revision: plan.revision,
    observed_at: plan.observedAt,
    observed_digest: plan.observedDigest,
    created_at: plan.createdAt,
    complete: plan.complete,
    applyable: plan.applyable,
    changes: hasChanges(plan),
    whole: isWhole(summary),
    summary,
    drift: plan.drift,
  };
}

function trailer(plan: Plan): Pick<PlanJson, 'skipped' | 'upcoming' | 'diagnostics'> {
  return { skipped: plan.skipped ?? [], upcoming: plan.upcoming ?? [], diagnostics: plan.diagnostics };
}
