/**
 * Reads back a plan saved with `walbctl plan --out FILE` (render/plan-json.ts): checks the format
 * version and the shape of every field the executor uses, and returns the Plan exactly as it was
 * computed — the document's fields are the Plan's, renamed (`observed_at` → `observedAt`, each
 * `resource_changes[]` entry → a PlanAction).
 */
import { ACTION_KINDS, type Plan, type PlanAction } from '../model/plan.js';
import { Checker, parseJsonText } from './check.js';

export function parseSavedPlan(text: string, file: string): Plan {
  const c = new Checker(file);
  const top = c.object(parseJsonText(text, file), '');
  const version = c.string(top.format_version, 'format_version')!;
  if (!/^2\.\d+$/.test(version)) {
    const hint = /^1\.\d+$/.test(version) ? ' (plan it again with this walbctl)' : '';
    c.fail('format_version', `this walbctl reads plan format 2.x, got "${version}"${hint}`);
  }
  const digest = c.string(top.observed_digest, 'observed_digest')!;
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) c.fail('observed_digest', `expected sha256:<64 hex digits>, got "${digest}"`);
  const plan: Plan = {
    formatVersion: 1,
    host: c.string(top.host, 'host')!,
    revision: c.string(top.revision, 'revision', true),
    observedAt: c.time(top.observed_at, 'observed_at')!,
    observedDigest: digest,
    createdAt: c.time(top.created_at, 'created_at')!,
    drift: c.array(top.drift, 'drift') as Plan['drift'],
    actions: readActions(c, top.resource_changes),
    diagnostics: c.array(top.diagnostics, 'diagnostics') as Plan['diagnostics'],
    complete: c.boolean(top.complete, 'complete')!,
    applyable: c.boolean(top.applyable, 'applyable')!,
    skipped: c.array(top.skipped, 'skipped') as NonNullable<Plan['skipped']>,
    upcoming: c.array(top.upcoming, 'upcoming') as NonNullable<Plan['upcoming']>,
  };
  return plan;
}

function readActions(c: Checker, raw: unknown): PlanAction[] {
  const ids = new Set<string>();
  return c.array(raw, 'resource_changes').map((entry, i) => {
    const p = `resource_changes[${i}]`;
    const a = c.object(entry, p);
    const id = c.string(a.id, `${p}.id`)!;
    if (ids.has(id)) c.fail(`${p}.id`, `duplicate action id "${id}"`);
    const change = c.array(c.object(a.change, `${p}.change`).actions, `${p}.change.actions`);
    if (change.length !== 1) c.fail(`${p}.change.actions`, `expected one change kind, got ${change.length}`);
    const dependsOn = c.array(a.depends_on, `${p}.depends_on`).map((d, j) => {
      const dep = c.string(d, `${p}.depends_on[${j}]`)!;
      if (!ids.has(dep)) c.fail(`${p}.depends_on[${j}]`, `"${dep}" is not an earlier action of the plan`);
      return dep;
    });
    ids.add(id);
    return {
      id,
      kind: c.oneOf(a.kind, `${p}.kind`, ACTION_KINDS),
      address: c.string(a.address, `${p}.address`)!,
      change: c.oneOf(change[0], `${p}.change.actions[0]`, ['create', 'update', 'delete', 'data'] as const),
      params: c.object(a.params, `${p}.params`) as PlanAction['params'],
      dependsOn,
      reason: c.string(a.action_reason, `${p}.action_reason`)!,
      destructive: c.boolean(a.destructive, `${p}.destructive`)!,
      blocked: c.string(a.blocked, `${p}.blocked`, true),
      refused: c.string(a.refused, `${p}.refused`, true),
    };
  });
}
