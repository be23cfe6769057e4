/**
 * A host's volumes against their thresholds, in the Nagios/Icinga plugin convention: a state per
 * value (OK, WARNING, CRITICAL; UNKNOWN when a volume cannot be observed), the host's state the worst
 * of them (CRITICAL, then WARNING, then UNKNOWN), one status line and perfdata
 * (`'LABEL'=VALUE[UOM];WARN;CRIT;MIN;MAX`).
 */
import { formatAge } from '../policy/time.js';
import { formatBytes } from '../util/size.js';
import type { HealthValues } from './values.js';
import type { CheckName, Thresholds } from './thresholds.js';

export const STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type CheckState = 0 | 1 | 2 | 3;

export interface VolumeCheck {
  address: string;
  values: HealthValues | null;
  thresholds: Thresholds | null;
  /** Set when the volume could not be observed. */
  error?: string;
}

export interface CheckResult {
  state: CheckState;
  line: string;
  problems: string[];
  perfdata: string[];
}

/** Worse first: CRITICAL, WARNING, UNKNOWN, OK. */
const RANK: Record<CheckState, number> = { 0: 0, 3: 1, 1: 2, 2: 3 };

export function worst(a: CheckState, b: CheckState): CheckState {
  return RANK[b] > RANK[a] ? b : a;
}

function level(value: number, t: { warning: number | null; critical: number | null }): CheckState {
  if (t.critical !== null && value >= t.critical) return 2;
  if (t.warning !== null && value >= t.warning) return 1;
  return 0;
}

interface Measure {
  name: CheckName;
  label: string;
  value: number;
  uom: 's' | 'B' | '%';
  max?: number;
  describe: (v: number) => string;
}

function measures(v: HealthValues): Measure[] {
  const out: Measure[] = [];
  if (v.recoveryPoint) out.push({ name: 'recoveryPointAge', label: 'recovery_point_age', value: v.recoveryPoint.ageSeconds, uom: 's', describe: (x) => `recovery point ${formatAge(x * 1000)} old (${v.recoveryPoint!.source === 'snapshot' ? 'newest restorable snapshot' : 'newest archived write'})` });
  if (v.replicationLag) out.push({ name: 'replicationLag', label: 'replication_lag', value: v.replicationLag.seconds, uom: 's', describe: (x) => `${v.replicationLag!.to} ${formatAge(x * 1000)} (${v.replicationLag!.gids} gids) behind` });
  if (v.diffBacklog) out.push({ name: 'diffBacklog', label: 'diff_backlog', value: v.diffBacklog.bytes, uom: 'B', describe: (x) => `diff backlog ${formatBytes(x, { trimZero: true })} in ${v.diffBacklog!.count} diffs` });
  if (v.logUsagePercent !== null) out.push({ name: 'logUsage', label: 'log_usage', value: v.logUsagePercent, uom: '%', max: 100, describe: (x) => `log ring ${x}% full` });
  return out;
}

function limit(m: Measure, value: number | null): string {
  if (value === null) return '';
  if (m.uom === 's') return formatAge(value * 1000);
  if (m.uom === 'B') return formatBytes(value, { trimZero: true });
  return `${value}%`;
}

export function evaluate(host: string, volumes: readonly VolumeCheck[]): CheckResult {
  let state: CheckState = 0;
  const problems: string[] = [];
  const perfdata: string[] = [];
  for (const vol of volumes) {
    if (!vol.values || !vol.thresholds) {
      state = worst(state, 3);
      problems.push(`${vol.address}: UNKNOWN: ${vol.error ?? 'not observed'}`);
      continue;
    }
    for (const m of measures(vol.values)) {
      const t = vol.thresholds[m.name];
      const s = level(m.value, t);
      state = worst(state, s);
      if (s !== 0) problems.push(`${vol.address}: ${m.describe(m.value)} (${STATES[s]} at ${limit(m, s === 2 ? t.critical : t.warning)})`);
      const num = (x: number | null): string => (x === null ? '' : String(x));
      perfdata.push(`'${vol.address} ${m.label}'=${m.value}${m.uom};${num(t.warning)};${num(t.critical)};0;${m.max ?? ''}`);
    }
  }
  const summary = problems.length > 0 ? problems.join('; ') : `${volumes.length} volume(s) on ${host} within thresholds`;
  const line = `WALBCTL ${STATES[state]} - ${summary}${perfdata.length ? ` | ${perfdata.join(' ')}` : ''}`;
  return { state, line, problems, perfdata };
}
