/**
 * A Plan as text, in Terraform's manner: drift first, a legend of the gutter symbols, one block per
 * volume with one line per action and its `# (because …)` reason, destructive, refused and blocked
 * actions marked, diagnostics, and the summary line. Reads a Plan; decides nothing.
 */
import type { ChangeKind, Plan, PlanAction } from '../model/plan.js';
import { summarize } from '../plan/summary.js';
import { collect, type Write } from './chunks.js';

export const GUTTER: Record<ChangeKind, string> = { create: '  +', update: '  ~', delete: '  -', data: '  >' };

export const LEGEND = [
  'Symbols:',
  `${GUTTER.create} create`,
  `${GUTTER.update} change in place`,
  `${GUTTER.delete} destroy`,
  `${GUTTER.data} data-path action (backup, snapshot, merge, apply, verify, replicate): no configuration changes`,
].join('\n');

export function renderPlanText(plan: Plan): string {
  return collect((write) => writePlanText(plan, write));
}

/** The plan's text, line by line, to `write` (each line ends with a newline). */
export function writePlanText(plan: Plan, write: Write): void {
  const line = (text: string): void => write(text + '\n');
  line(`walbctl plan for host ${plan.host} at ${plan.revision ?? '(no revision)'}, live state observed ${plan.observedAt}`);
  line('');
  if (plan.drift.length > 0) {
    line('Note: Objects have changed outside of walbctl');
    line('');
    for (const d of plan.drift) line(`  # ${d.address}: ${d.message}`);
    line('');
  }
  const skipped = plan.skipped ?? [];
  for (const s of skipped) line(`  # ${s.address} is skipped: ${s.reason}`);
  if (skipped.length > 0) line('');
  const actions = plan.actions;
  if (actions.length > 0) {
    line(LEGEND);
    line('');
    line(`walbctl will perform the following actions on ${plan.host}:`);
    line('');
    if (sortedByAddress(actions)) {
      // A computed plan lists volumes in address order: each volume's actions are one run, no grouping map.
      for (let i = 0; i < actions.length;) {
        const address = actions[i]!.address;
        let end = i;
        let destroys = false;
        for (; end < actions.length && actions[end]!.address === address; end++) if (actions[end]!.destructive) destroys = true;
        write(destroys ? `  # ${address} (destroys data)\n` : `  # ${address}\n`);
        for (; i < end; i++) writeAction(actions[i]!, write);
        write('\n');
      }
    } else {
      for (const [address, group] of byAddress(actions)) {
        const destroys = group.some((a) => a.destructive);
        line(`  # ${address}${destroys ? ' (destroys data)' : ''}`);
        for (const a of group) writeAction(a, write);
        line('');
      }
    }
  }
  for (const d of plan.diagnostics) {
    line(`${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.address}: ${d.message}${d.source ? ` (${d.source})` : ''}`);
  }
  if (plan.diagnostics.length > 0) line('');
  if (!plan.complete) line('The plan is incomplete: errors kept some volumes from being planned.');
  line(summaryLine(plan));
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

function sortedByAddress(actions: readonly PlanAction[]): boolean {
  for (let i = 1; i < actions.length; i++) {
    const address = actions[i]!.address;
    const previous = actions[i - 1]!.address;
    if (address !== previous && address < previous) return false;
  }
  return true;
}

function writeAction(a: PlanAction, write: Write): void {
  let params = '';
  for (const k in a.params) params += ` ${k}=${formatValue(a.params[k]!)}`;
  write(`${GUTTER[a.change]} ${a.kind}${params}${a.destructive ? '   # destroys data\n' : '\n'}      # (because ${a.reason})\n`);
  if (a.refused) write(`      # refused: ${a.refused}\n`);
  if (a.blocked) write(`      # blocked: ${a.blocked}\n`);
}

const SAFE = /^[\w./:@-]+$/;

function formatValue(v: PlanAction['params'][string]): string {
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (typeof v === 'string') return SAFE.test(v) ? v : JSON.stringify(v);
  return String(v);
}
