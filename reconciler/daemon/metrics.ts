/**
 * Prometheus text exposition of the daemon's status and action counters. Metric names are stable
 * (documented in docs/daemon.md); labels are `host`, `volume`, `kind`, `result`.
 */
import type { DaemonStatus } from './status-model.js';

const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600];

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

/** Counts and durations of actions by kind and result. */
export class ActionMetrics {
  private readonly counts = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();

  record(kind: string, result: string, seconds: number | null): void {
    const key = `${kind}\0${result}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (seconds === null) return;
    let h = this.durations.get(key);
    if (!h) this.durations.set(key, (h = { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.buckets[i]++;
    });
    h.sum += seconds;
    h.count++;
  }

  entries(): { kind: string; result: string; count: number; histogram: Histogram | undefined }[] {
    return [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => {
      const [kind, result] = key.split('\0');
      return { kind, result, count, histogram: this.durations.get(key) };
    });
  }
}

function esc(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  return '{' + Object.entries(pairs).map(([k, v]) => `${k}="${esc(v)}"`).join(',') + '}';
}

function ageSeconds(iso: string | null, now: number): number | null {
  return iso === null ? null : Math.max(0, (now - Date.parse(iso)) / 1000);
}

export function renderMetrics(status: DaemonStatus, actions: ActionMetrics, now: number): string {
  const out: string[] = [];
  const host = status.host;
  const family = (name: string, type: 'gauge' | 'counter' | 'histogram', help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const volumes = Object.entries(status.volumes).sort(([a], [b]) => a.localeCompare(b));

  family('walbctl_snapshot_newest_age_seconds', 'gauge', 'Age of the newest restorable snapshot of the volume.');
  for (const [volume, v] of volumes) {
    const age = ageSeconds(v.lastSnapshot?.at ?? null, now);
    if (age !== null) out.push(`walbctl_snapshot_newest_age_seconds${labels({ host, volume })} ${age.toFixed(3)}`);
  }
  family('walbctl_snapshots_restorable', 'gauge', 'Number of restorable snapshots of the volume.');
  for (const [volume, v] of volumes) out.push(`walbctl_snapshots_restorable${labels({ host, volume })} ${v.restorable}`);
  family('walbctl_diff_pending_bytes', 'gauge', 'Bytes of diffs in the archive not yet applied to the base.');
  for (const [volume, v] of volumes) out.push(`walbctl_diff_pending_bytes${labels({ host, volume })} ${v.diffBacklog.bytes}`);
  family('walbctl_diff_pending_count', 'gauge', 'Number of diffs in the archive not yet applied to the base.');
  for (const [volume, v] of volumes) out.push(`walbctl_diff_pending_count${labels({ host, volume })} ${v.diffBacklog.count}`);
  family('walbctl_reconcile_last_success_age_seconds', 'gauge', 'Seconds since the volume last reconciled without failures.');
  for (const [volume, v] of volumes) {
    const age = ageSeconds(v.lastSucceededAt, now);
    if (age !== null) out.push(`walbctl_reconcile_last_success_age_seconds${labels({ host, volume })} ${age.toFixed(3)}`);
  }
  family('walbctl_volume_condition', 'gauge', 'Status conditions of the volume (1 for the current status of each type).');
  for (const [volume, v] of volumes) {
    for (const c of v.conditions) out.push(`walbctl_volume_condition${labels({ host, volume, type: c.type, status: c.status, reason: c.reason })} 1`);
  }
  family('walbctl_desired_state_valid', 'gauge', '1 when the newest revision validates, 0 when the daemon keeps converging to an older one.');
  out.push(`walbctl_desired_state_valid${labels({ host })} ${status.desired.valid ? 1 : 0}`);

  family('walbctl_actions_total', 'counter', 'Actions the daemon ended, by kind and result (done, failed, blocked, refused, skipped).');
  const entries = actions.entries();
  for (const e of entries) out.push(`walbctl_actions_total${labels({ host, kind: e.kind, result: e.result })} ${e.count}`);
  family('walbctl_action_duration_seconds', 'histogram', 'Duration of the actions that ran, by kind and result.');
  for (const e of entries) {
    const h = e.histogram;
    if (!h) continue;
    DURATION_BUCKETS.forEach((le, i) => out.push(`walbctl_action_duration_seconds_bucket${labels({ host, kind: e.kind, result: e.result, le: String(le) })} ${h.buckets[i]}`));
    out.push(`walbctl_action_duration_seconds_bucket${labels({ host, kind: e.kind, result: e.result, le: '+Inf' })} ${h.count}`);
    out.push(`walbctl_action_duration_seconds_sum${labels({ host, kind: e.kind, result: e.result })} ${h.sum.toFixed(3)}`);
    out.push(`walbctl_action_duration_seconds_count${labels({ host, kind: e.kind, result: e.result })} ${h.count}`);
  }
  return out.join('\n') + '\n';
}
