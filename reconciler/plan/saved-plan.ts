/**
 * Reads back a plan saved with `walbctl plan --out FILE` (render/plan-json.ts): checks the format
 * version and the shape of the Plan under `plan`, and returns that Plan exactly as it was computed.
 */
import { ACTION_KINDS, type Plan } from '../model/plan.js';
import { Checker, parseJsonText } from './check.js';

export function parseSavedPlan(text: string, file: string): Plan {
  const c = new Checker(file);
  const top = c.object(parseJsonText(text, file), '');
  const version = c.string(top.format_version, 'format_version')!;
  if (!/^1\.\d+$/.test(version)) c.fail('format_version', `this walbctl reads plan format 1.x, got "${version}"`);
  const plan = c.object(top.plan, 'plan');
  if (plan.formatVersion !== 1) c.fail('plan.formatVersion', `expected 1, got ${JSON.stringify(plan.formatVersion)}`);
  c.string(plan.host, 'plan.host');
  c.string(plan.revision, 'plan.revision', true);
  c.time(plan.observedAt, 'plan.observedAt');
  const digest = c.string(plan.observedDigest, 'plan.observedDigest')!;
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) c.fail('plan.observedDigest', `expected sha256:<64 hex digits>, got "${digest}"`);
  c.time(plan.createdAt, 'plan.createdAt');
  c.boolean(plan.complete, 'plan.complete');
  c.boolean(plan.applyable, 'plan.applyable');
  c.array(plan.drift, 'plan.drift');
  c.array(plan.diagnostics, 'plan.diagnostics');
  const ids = new Set<string>();
  c.array(plan.actions, 'plan.actions').forEach((raw, i) => {
    const p = `plan.actions[${i}]`;
    const a = c.object(raw, p);
    const id = c.string(a.id, `${p}.id`)!;
    if (ids.has(id)) c.fail(`${p}.id`, `duplicate action id "${id}"`);
    c.oneOf(a.kind, `${p}.kind`, ACTION_KINDS);
    c.string(a.address, `${p}.address`);
    c.oneOf(a.change, `${p}.change`, ['create', 'update', 'delete', 'data'] as const);
    c.object(a.params, `${p}.params`);
    c.array(a.dependsOn, `${p}.dependsOn`).forEach((d, j) => {
      const dep = c.string(d, `${p}.dependsOn[${j}]`)!;
      if (!ids.has(dep)) c.fail(`${p}.dependsOn[${j}]`, `"${dep}" is not an earlier action of the plan`);
    });
    c.string(a.reason, `${p}.reason`);
    c.boolean(a.destructive, `${p}.destructive`);
    c.string(a.blocked, `${p}.blocked`, true);
    if (a.refused !== undefined) c.string(a.refused, `${p}.refused`, true);
    ids.add(id);
  });
  return plan as unknown as Plan;
}
