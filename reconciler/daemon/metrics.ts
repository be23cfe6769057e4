/**
 * The daemon's Prometheus metrics, through prom-client: one Registry per daemon (a test process runs
 * several daemons), the process metrics prom-client collects (memory, CPU, event-loop lag, open file
 * descriptors, GC), the action counter and duration histogram, and per-volume gauges read from the
 * status when scraped. Metric names are stable (docs/daemon.md); labels are `host`, `volume`, `kind`,
 * `result` and a few per family. A new per-volume gauge is one more row in VOLUME_GAUGES.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { REPLICATION_GAUGES } from './replication-metrics.js';
import { CHECKS } from '../check/thresholds.js';
import type { DaemonStatus, VolumeStatus } from './status-model.js';

const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600];

/** One sample of a per-volume gauge: extra labels (beside host and volume) and the value. */
export interface VolumeSample {
  labels?: Record<string, string>;
  value: number;
}

export interface VolumeGauge {
  name: string;
  help: string;
  /** Label names beyond `host` and `volume`. */
  labels?: readonly string[];
  /** The samples of one volume; none when the value is not known. */
  samples(v: VolumeStatus, now: number): VolumeSample[];
}

function ageSeconds(iso: string | null | undefined, now: number): number | null {
  return iso ? Math.max(0, (now - Date.parse(iso)) / 1000) : null;
}

const one = (value: number | null): VolumeSample[] => (value === null ? [] : [{ value }]);

export const VOLUME_GAUGES: readonly VolumeGauge[] = [
  { name: 'walbctl_snapshot_newest_age_seconds', help: 'Age of the newest restorable snapshot of the volume.', samples: (v, now) => one(ageSeconds(v.lastSnapshot?.at, now)) },
  { name: 'walbctl_snapshots_restorable', help: 'Number of restorable snapshots of the volume.', samples: (v) => one(v.restorable) },
  { name: 'walbctl_diff_pending_bytes', help: 'Bytes of diffs in the archive not yet applied to the base.', samples: (v) => one(v.diffBacklog.bytes) },
  { name: 'walbctl_diff_pending_count', help: 'Number of diffs in the archive not yet applied to the base.', samples: (v) => one(v.diffBacklog.count) },
  { name: 'walbctl_reconcile_last_success_age_seconds', help: 'Seconds since the volume last reconciled without failures.', samples: (v, now) => one(ageSeconds(v.lastSucceededAt, now)) },
  {
    name: 'walbctl_volume_condition', help: 'Status conditions of the volume (1 for the current status of each type).', labels: ['type', 'status', 'reason'],
    samples: (v) => v.conditions.map((c) => ({ labels: { type: c.type, status: c.status, reason: c.reason }, value: 1 })),
  },
  ...REPLICATION_GAUGES,
  { name: 'walbctl_recovery_point_age_seconds', help: 'Age of the recovery point: the newest restorable snapshot, or for a wdev volume the newest archived write (what walbctl check compares).', samples: (v) => one(v.health?.values.recoveryPoint?.ageSeconds ?? null) },
  {
    name: 'walbctl_ship_lsid', help: 'A wdev volume shipped to proxies: the newest lsid written, shipped (a proxy holds it durably), converted (by a proxy) and archived (by every archive).', labels: ['stage'],
    samples: (v) => shipLsids(v),
  },
  { name: 'walbctl_ship_recovery_point_seconds', help: 'A wdev volume shipped to proxies: seconds of writes the archives may lack (0: they hold everything written).', samples: (v) => one(v.shipping?.recoveryPointSeconds ?? null) },
  { name: 'walbctl_proxy_spool_bytes', help: 'A proxy host: bytes of the volume in its spool (a diff queued for several archives counts once).', samples: (v) => one(v.spool?.bytes ?? null) },
  { name: 'walbctl_proxy_spool_full', help: 'A proxy host: 1 when its spool is full (batches refused, no-space) and the volume holds part of it, else 0.', samples: (v) => (v.spool ? [{ value: v.spool.full && v.spool.bytes > 0 ? 1 : 0 }] : []) },
  { name: 'walbctl_proxy_queue_diffs', help: 'A proxy host: diffs of the volume queued for an archive.', labels: ['archive'], samples: (v) => (v.spool?.queues ?? []).map((q) => ({ labels: { archive: q.archive }, value: q.diffs })) },
  { name: 'walbctl_proxy_queue_bytes', help: 'A proxy host: bytes of the volume queued for an archive.', labels: ['archive'], samples: (v) => (v.spool?.queues ?? []).map((q) => ({ labels: { archive: q.archive }, value: q.bytes })) },
  {
    name: 'walbctl_proxy_queue_oldest_age_seconds', help: 'A proxy host: seconds the oldest diff queued for an archive has waited (absent: the queue is empty).', labels: ['archive'],
    samples: (v) => (v.spool?.queues ?? []).filter((q) => q.oldestAgeSeconds !== null).map((q) => ({ labels: { archive: q.archive }, value: q.oldestAgeSeconds! })),
  },
  {
    name: 'walbctl_proxy_forwarding', help: 'A proxy host: 1 while it forwards the volume to an archive, 0 when stopped, halted (a stop-and-report reject) or leaving.', labels: ['archive'],
    samples: (v) => (v.spool?.queues ?? []).map((q) => ({ labels: { archive: q.archive }, value: q.forwarding === 'started' ? 1 : 0 })),
  },
  { name: 'walbctl_log_usage_percent', help: 'Percent of the wdev log ring in use.', samples: (v) => one(v.health?.values.logUsagePercent ?? null) },
  {
    name: 'walbctl_check_threshold', help: 'The thresholds walbctl check applies to the volume (tree check: or defaults): check is recovery_point_age (s), replication_lag (s), diff_backlog (bytes), log_usage (percent).', labels: ['check', 'level'],
    samples: (v) => thresholdSamples(v),
  },
  { name: 'walbctl_actions_waiting', help: 'Actions of the latest pass that did not run: blocked, refused, or waiting for one that did not finish.', samples: (v) => one(v.unfinished.filter((u) => u.status !== 'failed').length) },
];

function shipLsids(v: VolumeStatus): VolumeSample[] {
  const s = v.shipping;
  if (!s) return [];
  const stages: [string, number | null][] = [['written', s.writtenLsid], ['shipped', s.shippedLsid], ['converted', s.convertedLsid], ['archived', s.archivedLsid]];
  return stages.filter((x): x is [string, number] => x[1] !== null).map(([stage, value]) => ({ labels: { stage }, value }));
}

function thresholdSamples(v: VolumeStatus): VolumeSample[] {
  const t = v.health?.thresholds;
  if (!t) return [];
  const out: VolumeSample[] = [];
  for (const c of CHECKS) {
    for (const level of ['warning', 'critical'] as const) {
      const value = t[c.name][level];
      if (value !== null) out.push({ labels: { check: c.metric, level }, value });
    }
  }
  return out;
}

/** How often the event-loop delay histogram (`nodejs_eventloop_lag_p*_seconds`) samples, in ms. */
export const EVENT_LOOP_SAMPLE_MS = 100;

/** What the gauges read when scraped. */
export interface MetricsSource {
  status(): DaemonStatus;
  now(): number;
}

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly actions: Counter<'host' | 'kind' | 'result'>;
  private readonly durations: Histogram<'host' | 'kind' | 'result'>;

  constructor(private readonly source: MetricsSource, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    // The event-loop delay histogram samples every 100 ms, not prom-client's default 10 ms: a timer
    // that wakes an idle daemon 100 times a second cost it about half its idle CPU (bench:daemon),
    // and a stall shorter than 100 ms is not what an operator pages about.
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    for (const g of VOLUME_GAUGES) this.addVolumeGauge(g);
    new Gauge({
      name: 'walbctl_desired_state_valid', help: '1 when the newest revision validates, 0 when the daemon keeps converging to an older one.', labelNames: ['host'], registers,
      collect() {
        this.reset();
        const status = source.status();
        this.set({ host: status.host }, status.desired.valid ? 1 : 0);
      },
    });
    this.actions = new Counter({ name: 'walbctl_actions_total', help: 'Actions the daemon ended, by kind and result (done, failed, blocked, refused, skipped).', labelNames: ['host', 'kind', 'result'], registers });
    this.durations = new Histogram({ name: 'walbctl_action_duration_seconds', help: 'Duration of the actions that ran, by kind and result.', labelNames: ['host', 'kind', 'result'], buckets: DURATION_BUCKETS, registers });
  }

  /** Counts an action that ended; `seconds` is null when it did not run (blocked, refused, skipped). */
  record(kind: string, result: string, seconds: number | null): void {
    const labels = { host: this.source.status().host, kind, result };
    this.actions.inc(labels);
    if (seconds !== null) this.durations.observe(labels, seconds);
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private addVolumeGauge(g: VolumeGauge): void {
    const source = this.source;
    new Gauge({
      name: g.name, help: g.help, labelNames: ['host', 'volume', ...(g.labels ?? [])], registers: [this.registry],
      collect() {
        this.reset();
        const status = source.status();
        const now = source.now();
        for (const volume of Object.keys(status.volumes).sort()) {
          for (const s of g.samples(status.volumes[volume]!, now)) this.set({ host: status.host, volume, ...s.labels }, s.value);
        }
      },
    });
  }
}
