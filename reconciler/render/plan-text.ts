/**
 * A Plan as text, in Terraform's manner: drift first, a legend of the gutter symbols, one block per
 * volume with one line per action and its `# (because …)` reason, destructive, refused and blocked
 * actions marked, diagnostics, and the summary line. Reads a Plan; decides nothing.
 */
import type { ChangeKind, Plan, PlanAction } from '../model/plan.js';
import { count, summarize, type PlanSummary } from '../plan/summary.js';
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
  const text = new PlanTextWriter(write);
  text.start(plan);
  const actions = plan.actions;
  if (sortedByAddress(actions)) {
    // A computed plan lists volumes in address order: each volume's actions are one run, no grouping map.
    for (let i = 0; i < actions.length;) {
      let end = i + 1;
      while (end < actions.length && actions[end]!.address === actions[i]!.address) end++;
      text.volume(actions.slice(i, end));
      i = end;
    }
  } else {
    for (const group of byAddress(actions).values()) text.volume(group);
  }
  text.finish(plan);
}

/**
 * The plan's text a part at a time, for a caller that has the plan a volume at a time
 * (planHostVolumes): `start` with what comes before the volumes, `volume` once per volume in order,
 * `finish` with the rest. The legend is written before the first volume that has actions.
 */
export class PlanTextWriter {
  private host = '';
  private counts: PlanSummary = { create: 0, change: 0, destroy: 0, data: 0 };
  private actions = 0;

  constructor(private readonly write: Write) {}

  start(head: Pick<Plan, 'host' | 'revision' | 'observedAt' | 'drift' | 'skipped'>): void {
    const line = this.line;
    this.host = head.host;
    line(`walbctl plan for host ${head.host} at ${head.revision ?? '(no revision)'}, live state observed ${head.observedAt}`);
    line('');
    if (head.drift.length > 0) {
      line('Note: Objects have changed outside of walbctl');
      line('');
      for (const d of head.drift) line(`  # ${d.address}: ${d.message}`);
      line('');
    }
    const skipped = head.skipped ?? [];
    for (const s of skipped) line(`  # ${s.address} is skipped: ${s.reason}`);
    if (skipped.length > 0) line('');
  }

  /** One volume's actions (all of one address); nothing is written for an empty list. */
  volume(actions: readonly PlanAction[]): void {
    if (actions.length === 0) return;
    const write = this.write;
    if (this.actions === 0) {
      this.line(LEGEND);
      this.line('');
      this.line(`walbctl will perform the following actions on ${this.host}:`);
      this.line('');
    }
    let destroys = false;
    for (const a of actions) {
      if (a.destructive) destroys = true;
      count(this.counts, a);
    }
    this.actions += actions.length;
    write(destroys ? `  # ${actions[0]!.address} (destroys data)\n` : `  # ${actions[0]!.address}\n`);
    for (const a of actions) writeAction(a, write);
    write('\n');
  }

  finish(tail: Pick<Plan, 'diagnostics' | 'complete'>): void {
    const line = this.line;
    for (const d of tail.diagnostics) {
      line(`${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.address}: ${d.message}${d.source ? ` (${d.source})` : ''}`);
    }
    if (tail.diagnostics.length > 0) line('');
    if (!tail.complete) line('The plan is incomplete: errors kept some volumes from being planned.');
    line(summaryText(this.host, this.actions, this.counts));
  }

  private readonly line = (text: string): void => this.write(text + '\n');
}

export function summaryLine(plan: Plan): string {
  return summaryText(plan.host, plan.actions.length, summarize(plan));
}

function summaryText(host: string, actions: number, s: PlanSummary): string {
  if (actions === 0) return `No changes. ${host} matches the repository.`;
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
