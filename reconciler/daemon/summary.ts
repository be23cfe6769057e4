/** One line on how a host's volumes stand, for the log: `local: 1 Ready: demo; 1 Stalled (Blocked): db`. */
import type { DaemonStatus } from './status-model.js';

export function volumeSummary(status: DaemonStatus): { line: string; next: { kind: string; at: string } | null } {
  const groups = new Map<string, string[]>();
  for (const [name, v] of Object.entries(status.volumes).sort(([a], [b]) => a.localeCompare(b))) {
    const ready = v.conditions.find((c) => c.type === 'Ready');
    const stalled = v.conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
    const key = stalled ? `Stalled (${stalled.reason})` : ready?.status === 'True' ? 'Ready' : `not Ready (${ready?.reason ?? 'Pending'})`;
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  const line = [...groups].map(([state, names]) => `${names.length} ${state}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`).join('; ') || 'no volumes';
  const next = Object.values(status.volumes)
    .flatMap((v) => (v.nextScheduled ? [v.nextScheduled] : []))
    .sort((a, b) => a.at.localeCompare(b.at))[0];
  return { line, next: next ?? null };
}
