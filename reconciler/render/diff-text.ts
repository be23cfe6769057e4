/**
 * `walbctl diff` as text: per host and volume what the commit changes, destructive changes marked
 * with `!` and said why, and a summary line.
 */
import { countDiff, type DesiredDiff, type Leaf } from '../plan/desired-diff.js';

export interface DiffLabels {
  from: string;
  to: string;
}

const GUTTER = { added: '  +', removed: '  -', changed: '  ~', unchanged: '   ' } as const;

export function renderDiffText(diff: DesiredDiff, labels: DiffLabels): string {
  const out = [`walbctl diff ${labels.from} → ${labels.to}`, ''];
  if (diff.hosts.length === 0) return out.concat(['No changes to the desired state.']).join('\n') + '\n';
  for (const h of diff.hosts) {
    out.push(`${GUTTER[h.change]} host ${h.host}${h.change === 'added' ? ' (new host)' : h.change === 'removed' ? ' (removed)' : ''}`);
    for (const f of h.fields) out.push(`      ~ ${f.path}: ${show(f.before)} → ${show(f.after)}`);
    for (const v of h.volumes) {
      out.push(`  ${GUTTER[v.change]} ${v.address}${v.change === 'added' ? ' (new volume)' : v.change === 'removed' ? ' (removed)' : ''}`);
      for (const f of v.fields) out.push(`        ~ ${f.path}: ${show(f.before)} → ${show(f.after)}`);
      for (const why of v.destructive) out.push(`        ! destructive: ${why}`);
    }
    out.push('');
  }
  const c = countDiff(diff);
  out.push(`Diff: ${c.hosts} host${c.hosts === 1 ? '' : 's'} changed; volumes: ${c.added} added, ${c.changed} changed, ${c.removed} removed; ${c.destructive} with destructive changes.`);
  return out.join('\n') + '\n';
}

function show(v: Leaf | undefined): string {
  if (v === undefined) return '(absent)';
  return typeof v === 'string' ? (v.startsWith('[') || v.startsWith('{') ? v : JSON.stringify(v)) : String(v);
}
