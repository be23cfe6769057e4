/**
 * Hand-made desired and observed states for the planner's tests: one volume `local/demo` on the
 * embedded host `local` (all three roles), with overrides per test.
 */
import type { DesiredState, DesiredVolume } from '../../../reconciler/model/desired.js';
import type { ObservedArchive, ObservedDiff, ObservedState, ObservedStorage } from '../../../common/observed.js';

export function volume(overrides: Partial<DesiredVolume> = {}): DesiredVolume {
  const name = overrides.name ?? 'demo';
  const host = overrides.host ?? 'local';
  return {
    address: `${host}/${name}`,
    name,
    host,
    device: { path: `/var/lib/walbctl/${name}.img`, kind: 'file', sizeBytes: 1 << 30 },
    capture: 'scan',
    proxies: [host],
    archives: [{ host, primary: true }],
    snapshots: { schedule: { kind: 'every', everySeconds: 3600 } },
    retention: { grid: null },
    apply: null,
    merge: { intervalSeconds: 3600, maxNr: 10, maxSizeBytes: 1 << 30, thresholdNr: 1000 },
    replication: [],
    restores: [],
    protect: false,
    suspend: false,
    source: { file: `hosts/${host}.yaml`, line: 1, col: 1 },
    ...overrides,
  };
}

export function desired(volumes: DesiredVolume[], options: { hosts?: string[]; revision?: string | null } = {}): DesiredState {
  const names = new Set(['local', ...(options.hosts ?? []), ...volumes.map((v) => v.host)]);
  const hosts: DesiredState['hosts'] = {};
  for (const h of [...names].sort()) {
    hosts[h] = {
      name: h,
      address: h === 'local' ? '127.0.0.1' : `${h}.example`,
      roles: ['storage', 'proxy', 'archive'],
      dataDir: `/var/lib/walbctl/${h}`,
      driver: 'native',
      daemon: { intervalSeconds: 60, listen: '127.0.0.1:9469' },
      volumes: Object.fromEntries(volumes.filter((v) => v.host === h).map((v) => [v.name, v])),
      source: { file: `hosts/${h}.yaml`, line: 1, col: 1 },
    };
  }
  return { root: '/repo', revision: options.revision === undefined ? 'main@sha1:1111111111111111111111111111111111111111' : options.revision, hosts };
}

export function storage(overrides: Partial<ObservedStorage> = {}): ObservedStorage {
  return {
    state: 'Target', capture: 'scan', uuid: '0'.repeat(32), devicePath: '/var/lib/walbctl/demo.img',
    sizeBytes: 1 << 30, overflow: false, latestGid: 10, ...overrides,
  };
}

const T0 = Date.parse('2026-11-20T00:00:00Z');

/** A diff from gid b to gid e (clean snapshots), taken `hours` after 2026-11-20T00:00Z. */
export function diff(b: number, e: number, hours: number, overrides: Partial<ObservedDiff> = {}): ObservedDiff {
  const ts = new Date(T0 + hours * 3600_000).toISOString().replace('.000Z', 'Z');
  return {
    b: { b, e: b }, e: { b: e, e }, mergeable: true, compared: false, timestamp: ts, dataSize: 1000,
    file: `${ts.replace(/[-:TZ]/g, '')}-M--${b}-${e}.wdiff`, ...overrides,
  };
}

/** An Archived archive with a base at gid `base` and the given diffs; every diff end is restorable. */
export function archive(base: number, diffs: ObservedDiff[], overrides: Partial<ObservedArchive> & { explicit?: number[] } = {}): ObservedArchive {
  const { explicit = [], ...rest } = overrides;
  const restorable = [
    { gid: base, timestamp: new Date(T0 - 3600_000).toISOString().replace('.000Z', 'Z'), explicit: explicit.includes(base) },
    ...diffs.map((d) => ({ gid: d.e.b, timestamp: d.timestamp, explicit: explicit.includes(d.e.b) })),
  ];
  return {
    state: 'Archived', base: { b: { b: base, e: base } }, uuid: '1'.repeat(32), diffs,
    explicitSnapshots: explicit, restorable, restored: [], replicas: {}, busy: null, ...rest,
  };
}

export function observed(volumes: ObservedState['volumes'], overrides: Partial<ObservedState> = {}): ObservedState {
  return { formatVersion: 1, host: 'local', observedAt: '2026-11-21T12:00:00Z', volumes, lastApplied: null, ...overrides };
}
