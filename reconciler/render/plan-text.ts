/**
 * A Plan as text, in Terraform's manner: drift first, a legend of the gutter symbols, one block per
 * volume with one line per action and its `# (because …)` reason, destructive, refused and blocked
 * actions marked, diagnostics, and the summary line. Reads a Plan; decides nothing.
 */
import type { ChangeKind, Plan, PlanAction } from '../model/plan.js';
import { cannotRun, countActions, emptySummary, summarize, type PlanSummary } from '../plan/summary.js';
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
 * The plan's text a volume at a time, for a caller that has the plan a volume at a time
 * (planHostVolumes): `volume` once per volume in address order, then `finish` with the plan's other
 * fields, which writes everything in the plan's order — header, drift (found on the way through the
 * volumes, shown above them), skipped volumes, the legend and the volumes' blocks, diagnostics, the
 * summary. The blocks are held until then as flat 16 KiB strings (a few hundred objects for 10,000
 * volumes, instead of every action).
 */
export class PlanTextWriter {
  private readonly blocks: string[] = [];
  private parts: string[] = [];
  private partsLength = 0;
  private readonly counts: PlanSummary = emptySummary();
  private actions = 0;

  constructor(private readonly write: Write) {}

  /** One volume's actions (all of one address); nothing is written for an empty list. */
  volume(actions: readonly PlanAction[]): void {
    if (actions.length === 0) return;
    let destroys = false;
    for (const a of actions) if (a.destructive) destroys = true;
    countActions(this.counts, actions);
    this.actions += actions.length;
    const put = this.put;
    put(destroys ? `  # ${actions[0]!.address} (destroys data)\n` : `  # ${actions[0]!.address}\n`);
    for (const a of actions) writeAction(a, put);
    put('\n');
  }

  finish(plan: Pick<Plan, 'host' | 'revision' | 'observedAt' | 'drift' | 'skipped' | 'diagnostics' | 'complete'>): void {
    const line = (text: string): void => this.write(text + '\n');
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
    if (this.actions > 0) {
      line(LEGEND);
      line('');
      line(`walbctl will perform the following actions on ${plan.host}:`);
      line('');
      this.seal();
      for (const block of this.blocks) this.write(block);
    }
    for (const d of plan.diagnostics) {
      line(`${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.address}: ${d.message}${d.source ? ` (${d.source})` : ''}`);
    }
    if (plan.diagnostics.length > 0) line('');
    if (!plan.complete) line('The plan is incomplete: errors kept some volumes from being planned.');
    line(summaryText(plan.host, this.actions, this.counts));
  }

  private readonly put: Write = (text) => {
    this.parts.push(text);
    this.partsLength += text.length;
    if (this.partsLength >= 1 << 14) this.seal();
  };

  /** Joins the pending pieces into one flat string. */
  private seal(): void {
    if (this.parts.length > 0) this.blocks.push(this.parts.join(''));
    this.parts = [];
    this.partsLength = 0;
  }
}

export function summaryLine(plan: Plan): string {
  return summaryText(plan.host, plan.actions.length, summarize(plan));
}

function summaryText(host: string, actions: number, s: PlanSummary): string {
  if (actions === 0) return `No changes. ${host} matches the repository.`;
  const line = `Plan: ${s.create} to create, ${s.change} to change, ${s.destroy} to destroy, ${s.data} data actions`;
  const stuck = cannotRun(s);
  if (stuck === 0) return `${line}.`;
  const parts: string[] = [];
  if (s.blocked > 0) parts.push(`${s.blocked} blocked`);
  if (s.refused > 0) parts.push(`${s.refused} refused`);
  if (s.waiting > 0) parts.push(`${s.waiting} waiting for them`);
  return `${line}; ${stuck} cannot run (${parts.join(', ')}), so the plan cannot be carried out whole.`;
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
