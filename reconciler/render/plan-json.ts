/**
 * A Plan as versioned JSON, in the manner of `terraform show -json`: `format_version`, the plan's
 * identity (host, revision, observed digest), `resource_changes[]` with `address`, `change.actions`
 * and `action_reason`, drift, diagnostics, the summary — and, under `plan`, the Plan value itself, so
 * the same file is what `walbctl plan --out` saves and `walbctl apply plan.json` reads back exactly.
 */
import type { Plan } from '../model/plan.js';
import { hasChanges, summarize, type PlanSummary } from '../plan/summary.js';
import { collect, type Write } from './chunks.js';

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
    resource_changes: plan.actions.map(resourceChange),
    skipped: plan.skipped ?? [],
    upcoming: plan.upcoming ?? [],
    diagnostics: plan.diagnostics,
    plan,
  };
}

function resourceChange(a: Plan['actions'][number]): PlanJson['resource_changes'][number] {
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
 * The same text as JSON.stringify(planToJson(plan)), written in pieces: the two long lists
 * (resource_changes and plan.actions) one element at a time, without the mapped copy of every action.
 */
export function writePlanJson(plan: Plan, write: Write): void {
  // The body without the actions (the two lists are written below), with the summary of the real ones.
  const body = { ...planToJson({ ...plan, actions: [] }), changes: hasChanges(plan), summary: summarize(plan) };
  writeObject(body, write, (key, value) => {
    if (key === 'resource_changes') {
      writeArray(plan.actions, write, resourceChange);
      return true;
    }
    if (key === 'plan') {
      writeObject(value as Plan, write, (k) => {
        if (k !== 'actions') return false;
        writeArray(plan.actions, write, (a) => a);
        return true;
      });
      return true;
    }
    return false;
  });
}

/** An object as JSON.stringify writes it (own enumerable keys in order, undefined and functions left
 *  out); `special` may write a key's value itself and return true. */
function writeObject(obj: object, write: Write, special: (key: string, value: unknown) => boolean): void {
  let sep = '{';
  for (const key of Object.keys(obj)) {
    const value = (obj as Record<string, unknown>)[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    write(sep + JSON.stringify(key) + ':');
    sep = ',';
    if (!special(key, value)) write(JSON.stringify(value));
  }
  write(sep === '{' ? '{}' : '}');
}

function writeArray<T>(items: readonly T[], write: Write, map: (item: T) => unknown): void {
  if (items.length === 0) {
    write('[]');
    return;
  }
  for (let i = 0; i < items.length; i++) write((i === 0 ? '[' : ',') + (JSON.stringify(map(items[i]!)) ?? 'null'));
  write(']');
}
