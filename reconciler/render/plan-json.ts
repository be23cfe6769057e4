/**
 * A Plan as versioned JSON, in the manner of `terraform show -json`: `format_version`, the plan's
 * identity (host, revision, observed digest), `resource_changes[]` with `address`, `change.actions`
 * and `action_reason`, drift, diagnostics, the summary — and, under `plan`, the Plan value itself, so
 * the same file is what `walbctl plan --out` saves and `walbctl apply plan.json` reads back exactly.
 */
import type { Plan } from '../model/plan.js';
import { hasChanges, summarize, type PlanSummary } from '../plan/summary.js';

export const PLAN_JSON_FORMAT_VERSION = '1.0';

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
  summary: PlanSummary;
  drift: { address: string; message: string }[];
  resource_changes: {
    id: string;
    address: string;
    kind: string;
    change: { actions: string[] };
    params: Plan['actions'][number]['params'];
    depends_on: string[];
    action_reason: string;
    destructive: boolean;
    blocked: string | null;
    refused: string | null;
  }[];
  skipped: { address: string; reason: string }[];
  upcoming: { address: string; kind: string; at: string }[];
  diagnostics: Plan['diagnostics'];
  plan: Plan;
}

export function planToJson(plan: Plan): PlanJson {
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
    summary: summarize(plan),
    drift: plan.drift,
    resource_changes: plan.actions.map((a) => ({
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
    })),
    skipped: plan.skipped ?? [],
    upcoming: plan.upcoming ?? [],
    diagnostics: plan.diagnostics,
    plan,
  };
}

export function renderPlanJson(plan: Plan): string {
  return JSON.stringify(planToJson(plan)) + '\n';
}
