/**
 * A Driver that records the actions it is asked to run — the executor's boundary, for unit tests of
 * ordering, journal, lock and gating. Behaviour per action id: fail, or hang until released.
 */
import { ACTION_KINDS, type Plan, type PlanAction } from '../../../reconciler/model/plan.js';
import type { DesiredHost, DesiredState, DesiredVolume } from '../../../reconciler/model/desired.js';
import type { ActionMethod, Driver } from '../../../reconciler/drivers/driver.js';

export interface FakeDriver extends Driver {
  calls: string[];
  failing: Set<string>;
  hanging: Set<string>;
}

export function fakeDriver(): FakeDriver {
  const calls: string[] = [];
  const failing = new Set<string>();
  const hanging = new Set<string>();
  const method: ActionMethod = async (action) => {
    calls.push(action.id);
    if (hanging.has(action.id)) await new Promise(() => {});
    if (failing.has(action.id)) throw new Error(`${action.id} failed on purpose`);
    return { ran: action.id };
  };
  const methods = Object.fromEntries(ACTION_KINDS.map((k) => [k, method]));
  return {
    name: 'fake',
    calls,
    failing,
    hanging,
    storage: { ...methods, observe: async () => undefined } as unknown as Driver['storage'],
    archive: { ...methods, observe: async () => undefined } as unknown as Driver['archive'],
    listVolumes: async () => [],
  };
}

export function volume(name: string, overrides: Partial<DesiredVolume> = {}): DesiredVolume {
  return {
    address: `local/${name}`,
    name,
    host: 'local',
    device: { path: `/tmp/${name}.img`, kind: 'file', sizeBytes: 1 << 20 },
    capture: 'scan',
    proxies: ['local'],
    archives: [{ host: 'local', primary: true }],
    snapshots: { schedule: { kind: 'every', everySeconds: 60 } },
    retention: { grid: null, keepLast: 3 },
    apply: null,
    merge: { intervalSeconds: 600, maxNr: 10, maxSizeBytes: 1 << 30, thresholdNr: 20 },
    replication: [],
    restores: [],
    protect: false,
    suspend: false,
    source: { file: 'hosts/local.yaml', line: 1, col: 1 },
    ...overrides,
  };
}

export function desiredFor(dataDir: string, volumes: DesiredVolume[]): { desired: DesiredState; host: DesiredHost } {
  const host: DesiredHost = {
    name: 'local',
    address: '127.0.0.1',
    roles: ['storage', 'proxy', 'archive'],
    dataDir,
    driver: 'native',
    daemon: { intervalSeconds: 30, listen: '127.0.0.1:0' },
    volumes: Object.fromEntries(volumes.map((v) => [v.name, v])),
    source: { file: 'hosts/local.yaml', line: 1, col: 1 },
  };
  return { desired: { root: dataDir, revision: 'main@sha1:' + 'a'.repeat(40), hosts: { local: host } }, host };
}

export function action(id: string, overrides: Partial<PlanAction> = {}): PlanAction {
  const [address, kind] = id.split(':');
  return {
    id,
    kind: kind as PlanAction['kind'],
    address,
    change: 'data',
    params: ['init', 'start', 'stop', 'clear'].includes(kind) ? { role: 'storage' } : {},
    dependsOn: [],
    reason: 'because a test says so',
    destructive: false,
    blocked: null,
    ...overrides,
  };
}

export function plan(actions: PlanAction[], overrides: Partial<Plan> = {}): Plan {
  return {
    formatVersion: 1,
    host: 'local',
    revision: 'main@sha1:' + 'a'.repeat(40),
    observedAt: '2026-11-21T10:00:00.000Z',
    observedDigest: '0'.repeat(64),
    createdAt: '2026-11-21T10:00:00.000Z',
    drift: [],
    actions,
    diagnostics: [],
    complete: true,
    applyable: true,
    ...overrides,
  };
}
