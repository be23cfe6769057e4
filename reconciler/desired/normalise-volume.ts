/**
 * One merged, checked volume to its DesiredVolume: units in seconds and bytes, paths absolute
 * (relative ones from the host's data directory), schedules parsed, defaults filled in.
 */
import { isAbsolute, resolve } from 'node:path';

import type { CheckThresholds, DesiredVolume, ReplicationLimit, Retention, Schedule, SourceRef, ThresholdPair } from '../model/desired.js';
import { DEFAULTS } from './defaults.js';
import type { RawVolume } from './raw-types.js';
import { durationSeconds as parseDuration, gridIntervals, rateBytes as parseRate, sizeBytes as parseSize } from './units.js';

export function normaliseVolume(raw: RawVolume, where: { host: string; name: string; dataDir: string; source: SourceRef }): DesiredVolume {
  const path = (p: string): string => (isAbsolute(p) ? resolve(p) : resolve(where.dataDir, p));
  const device = raw.device!;
  const merge = raw.merge ?? {};
  return {
    address: `${where.host}/${where.name}`,
    name: where.name,
    host: where.host,
    device: { path: path(device.path!), kind: device.kind ?? (device.path!.startsWith('/dev/') ? 'block' : 'file'), sizeBytes: parseSize(device.size!) },
    capture: raw.capture ?? DEFAULTS.capture,
    ...(raw.wdev?.ring ? { wdev: { ring: path(raw.wdev.ring) } } : {}),
    proxies: [...(raw.proxies ?? [])],
    archives: (raw.archives ?? []).map((a) => (typeof a === 'string' ? { host: a, primary: true } : { host: a.host, primary: a.primary ?? true })),
    ...(raw.restoreHosts?.length ? { restoreHosts: [...raw.restoreHosts] } : {}),
    snapshots: { schedule: schedule(raw.snapshots!)! },
    retention: retention(raw.retention!),
    apply: raw.apply?.olderThan ? { olderThanSeconds: parseDuration(raw.apply.olderThan) } : null,
    merge: {
      intervalSeconds: parseDuration(merge.interval ?? DEFAULTS.mergeInterval),
      maxNr: merge.maxNr ?? DEFAULTS.mergeMaxNr,
      maxSizeBytes: parseSize(merge.maxSize ?? DEFAULTS.mergeMaxSize),
      thresholdNr: merge.thresholdNr ?? DEFAULTS.mergeThresholdNr,
    },
    replication: (raw.replication ?? []).map((p) => {
      const mode = p.mode ?? DEFAULTS.replicationMode;
      return {
        from: p.from,
        to: p.to,
        mode,
        schedule: mode === 'sync' ? null : schedule(p),
        compression: p.compression ?? DEFAULTS.compression,
        bandwidthLimitBytes: p.bandwidthLimit === undefined || p.bandwidthLimit === null ? null : parseRate(p.bandwidthLimit),
      };
    }),
    replicationLimit: replicationLimit(raw.replicationLimit),
    ...(raw.check ? { check: checkThresholds(raw.check) } : {}),
    restores: (raw.restores ?? []).map((r) => ({ name: r.name, pick: r.pick ?? DEFAULTS.restorePick, path: path(r.path), verify: r.verify ?? DEFAULTS.restoreVerify })),
    protect: raw.protect ?? false,
    suspend: raw.suspend ?? false,
    source: where.source,
    wire: {
      compression: raw.compression ?? DEFAULTS.wireCompression,
      bandwidthLimitBytes: raw.bandwidthLimit === undefined || raw.bandwidthLimit === null ? null : parseRate(raw.bandwidthLimit),
    },
  };
}

function schedule(s: { every?: string; cron?: string }): Schedule | null {
  if (s.every !== undefined) return { kind: 'every', everySeconds: parseDuration(s.every) };
  if (s.cron !== undefined) return { kind: 'cron', cron: s.cron };
  return null;
}

function retention(raw: NonNullable<RawVolume['retention']>): Retention {
  const out: Retention = { grid: raw.grid === undefined ? null : gridIntervals(raw.grid) };
  for (const key of ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const) {
    if (raw[key] !== undefined) out[key] = raw[key];
  }
  return out;
}

function replicationLimit(raw: RawVolume['replicationLimit']): ReplicationLimit | null {
  if (!raw) return null;
  const limit: ReplicationLimit = {
    bytes: raw.bytes === undefined ? null : parseSize(raw.bytes),
    gids: raw.gids ?? null,
    ageSeconds: raw.age === undefined ? null : parseDuration(raw.age),
  };
  return limit.bytes === null && limit.gids === null && limit.ageSeconds === null ? null : limit;
}

function checkThresholds(raw: NonNullable<RawVolume['check']>): CheckThresholds {
  const pair = <T>(p: { warning?: T; critical?: T } | undefined, unit: (v: T) => number): ThresholdPair | undefined =>
    p === undefined ? undefined : { warning: p.warning === undefined ? null : unit(p.warning), critical: p.critical === undefined ? null : unit(p.critical) };
  const out: CheckThresholds = {};
  const age = pair(raw.recoveryPointAge, parseDuration);
  if (age) out.recoveryPointAgeSeconds = age;
  const lag = pair(raw.replicationLag, parseDuration);
  if (lag) out.replicationLagSeconds = lag;
  const backlog = pair(raw.diffBacklog, parseSize);
  if (backlog) out.diffBacklogBytes = backlog;
  const usage = pair(raw.logUsage, (v: number) => v);
  if (usage) out.logUsagePercent = usage;
  return out;
}
