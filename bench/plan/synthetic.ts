/**
 * Synthetic inputs for bench:plan: one host with N volumes, each with a day of hourly diffs, explicit
 * snapshots, a retention grid and keep-count rules, an apply age, a declared restore, and (every
 * tenth volume) an async replica — so every policy of the planner runs for every volume.
 */
import type { DesiredState, DesiredVolume } from '../../reconciler/model/desired.js';
import type { ObservedDiff, ObservedState, ObservedVolume } from '../../common/observed.js';

export const BENCH_NOW = '2026-11-21T12:00:00Z';
const T0 = Date.parse('2026-11-21T00:00:00Z');
const DIFFS = 12;

function volume(i: number): DesiredVolume {
  const name = `vol${String(i).padStart(5, '0')}`;
  return {
    address: `local/${name}`, name, host: 'local',
    device: { path: `/srv/walbctl/${name}.img`, kind: 'file', sizeBytes: 1 << 30 },
    capture: 'scan', proxies: ['local'], archives: [{ host: 'local', primary: true }, ...(i % 10 === 0 ? [{ host: 'dr-1', primary: false }] : [])],
    snapshots: { schedule: i % 2 === 0 ? { kind: 'every', everySeconds: 3600 } : { kind: 'cron', cron: '0 * * * *' } },
    retention: { grid: [{ count: 1, periodSeconds: 3600, keep: 'all' }, { count: 6, periodSeconds: 3600, keep: 1 }, { count: 7, periodSeconds: 86400, keep: 1 }], keepLast: 4, keepDaily: 7 },
    apply: { olderThanSeconds: 8 * 3600 },
    merge: { intervalSeconds: 3600, maxNr: 10, maxSizeBytes: 1 << 28, thresholdNr: 100 },
    replication: i % 10 === 0 ? [{ from: 'local', to: 'dr-1', mode: 'async', schedule: { kind: 'every', everySeconds: 3600 }, compression: 'zstd', bandwidthLimitBytes: null }] : [],
    restores: [{ name: 'newest', pick: 'newest', path: `/srv/restore/${name}.img`, verify: true }],
    protect: i % 7 === 0, suspend: false,
    source: { file: 'hosts/local.yaml', line: 10 + i, col: 3 },
  };
}

function observedVolume(i: number, v: DesiredVolume): ObservedVolume {
  const iso = (h: number): string => new Date(T0 + h * 3600_000).toISOString().replace('.000Z', 'Z');
  const diffs: ObservedDiff[] = Array.from({ length: DIFFS }, (_, k) => ({
    b: { b: k * 10, e: k * 10 }, e: { b: (k + 1) * 10, e: (k + 1) * 10 }, mergeable: true, compared: true,
    timestamp: iso(k - (i % 3)), dataSize: 4096 * (1 + ((i + k) % 17)), file: `d${k}.wdiff`,
  }));
  return {
    name: v.name,
    storage: { state: 'Target', capture: 'scan', uuid: 'a'.repeat(32), devicePath: v.device.path, sizeBytes: v.device.sizeBytes, overflow: false, latestGid: DIFFS * 10, lastSnapshotAt: iso(DIFFS - 1 - (i % 3)) },
    archive: {
      state: 'Archived', base: { b: { b: 0, e: 0 } }, uuid: 'b'.repeat(32), diffs,
      explicitSnapshots: diffs.map((d) => d.e.b),
      restorable: diffs.map((d) => ({ gid: d.e.b, timestamp: d.timestamp, explicit: true })),
      restored: [{ gid: (DIFFS - (i % 2)) * 10, path: `/srv/restore/${v.name}.img`, createdAt: iso(DIFFS - 1), verified: i % 5 === 0 ? null : true }],
      replicas: i % 10 === 0 ? { 'dr-1': { gid: 60, timestamp: iso(5), replicatedAt: iso(6) } } : {},
      busy: null, lastMergeAt: iso(DIFFS - 1),
    },
  };
}

export function synthetic(count: number): { desired: DesiredState; observed: ObservedState } {
  const volumes = Array.from({ length: count }, (_, i) => volume(i));
  const host = (name: string, vols: DesiredVolume[]): DesiredState['hosts'][string] => ({
    name, address: '127.0.0.1', roles: ['storage', 'proxy', 'archive'], dataDir: `/var/lib/walbctl/${name}`, driver: 'native',
    daemon: { intervalSeconds: 60, listen: '127.0.0.1:9469' }, volumes: Object.fromEntries(vols.map((v) => [v.name, v])),
    source: { file: `hosts/${name}.yaml`, line: 1, col: 1 },
  });
  const desired: DesiredState = { root: '/repo', revision: 'main@sha1:' + '0'.repeat(40), hosts: { local: host('local', volumes), 'dr-1': host('dr-1', []) } };
  const observed: ObservedState = {
    formatVersion: 1, host: 'local', observedAt: BENCH_NOW,
    volumes: Object.fromEntries(volumes.map((v, i) => [v.name, observedVolume(i, v)])),
    lastApplied: { revision: desired.revision, at: BENCH_NOW, volumes: Object.fromEntries(volumes.map((v) => [v.name, { initialized: true, diffCount: DIFFS, latestGid: DIFFS * 10 }])) },
  };
  return { desired, observed };
}
