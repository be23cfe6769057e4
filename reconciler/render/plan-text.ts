/**
 * A Plan as text, in Terraform's manner: drift first, a legend of the gutter symbols, one block per
 * volume with one line per action and its `# (because …)` reason, destructive, refused and blocked
 * actions marked, diagnostics, and the summary line. Reads a Plan; decides nothing.
 */
import type { ChangeKind, Plan, PlanAction } from '../model/plan.js';
import { summarize } from '../plan/summary.js';

export const GUTTER: Record<ChangeKind, string> = { create: '  +', update: '  ~', delete: '  -', data: '  >' };

export const LEGEND = [
  'Symbols:',
  `${GUTTER.create} create`,
  `${GUTTER.update} change in place`,
  `${GUTTER.delete} destroy`,
  `${GUTTER.data} data-path action (backup, snapshot, merge, apply, verify, replicate): no configuration changes`,
].join('\n');

export function renderPlanText(plan: Plan): string {
  const out: string[] = [];
  out.push(`walbctl plan for host ${plan.host} at ${plan.revision ?? '(no revision)'}, live state observed ${plan.observedAt}`);
  out.push('');
  if (plan.drift.length > 0) {
    out.push('Note: Objects have changed outside of walbctl', '');
    for (const d of plan.drift) out.push(`  # ${d.address}: ${d.message}`);
    out.push('');
  }
  for (const s of plan.skipped ?? []) out.push(`  # ${s.address} is skipped: ${s.reason}`);
  if ((plan.skipped ?? []).length > 0) out.push('');
  if (plan.actions.length > 0) {
    out.push(LEGEND, '', `walbctl will perform the following actions on ${plan.host}:`, '');
    for (const [address, actions] of byAddress(plan.actions)) {
      const destroys = actions.some((a) => a.destructive);
      out.push(`  # ${address}${destroys ? ' (destroys data)' : ''}`);
      for (const a of actions) out.push(...actionLines(a));
      out.push('');
    }
  }
  for (const d of plan.diagnostics) {
    out.push(`${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.address}: ${d.message}${d.source ? ` (${d.source})` : ''}`);
  }
  if (plan.diagnostics.length > 0) out.push('');
  if (!plan.complete) out.push('The plan is incomplete: errors kept some volumes from being planned.');
  out.push(summaryLine(plan));
  return out.join('\n') + '\n';
}

export function summaryLine(plan: Plan): string {
  if (plan.actions.length === 0) return `No changes. ${plan.host} matches the repository.`;
  const s = summarize(plan);
  return `Plan: ${s.create} to create, ${s.change} to change, ${s.destroy} to destroy, ${s.data} data actions.`;
}

function byAddress(actions: readonly PlanAction[]): Map<string, PlanAction[]> {
  const groups = new Map<string, PlanAction[]>();
  for (const a of actions) {
    const list = groups.get(a.address);
    if (list) list.push(a);
    else groups.set(a.address, [a]);
  }
  return groups;
}

function actionLines(a: PlanAction): string[] {
  let params = '';
  for (const k in a.params) params += ` ${k}=${formatValue(a.params[k]!)}`;
  const lines = [`${GUTTER[a.change]} ${a.kind}${params}${a.destructive ? '   # destroys data' : ''}`, `      # (because ${a.reason})`];
  if (a.refused) lines.push(`      # refused: ${a.refused}`);
  if (a.blocked) lines.push(`      # blocked: ${a.blocked}`);
  return lines;
}

const SAFE = /^[\w./:@-]+$/;

function formatValue(v: PlanAction['params'][string]): string {
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (typeof v === 'string') return SAFE.test(v) ? v : JSON.stringify(v);
  return String(v);
}
