/**
 * A tree of WalB hosts for the walb driver's tests: db-1 (walb-storage), px-1 (walb-proxy), ar-1 and
 * ar-2 (walb-archives, ar-2 the receiver of a replication pair from ar-1) and ar-3 (a walbctl
 * archive), on the ports the test gives; and the ActionContext of an action on one of them.
 */
import { loadDesiredState } from '../../../../reconciler/desired/load.js';
import type { ActionContext, ObserveTarget } from '../../../../reconciler/drivers/driver.js';
import type { DesiredState } from '../../../../reconciler/model/desired.js';
import { writeTree } from '../../desired/tree-fixture.js';

export interface WalbPorts {
  storage: number;
  proxy: number;
  ar1: number;
  ar2: number;
}

const walbHost = (name: string, role: string, port: number) => `host: ${name}
address: 127.0.0.1
roles: [${role}]
dataDir: /srv/walbctl
driver: walb
${role}:
  listen: 127.0.0.1:${port}
`;

export async function walbTree(ports: WalbPorts, mode: 'sync' | 'async' = 'sync', options: { taskTimeout?: string; restorePath?: string } = {}): Promise<DesiredState> {
  const { state, diagnostics } = await loadDesiredState(writeTree({
    'hosts/db-1.yaml': `${walbHost('db-1', 'storage', ports.storage)}${options.taskTimeout ? `walb:\n  taskTimeout: ${options.taskTimeout}\n` : ''}volumes:
  pg:
    device:
      path: /dev/walb/pg
      size: 1GiB
    proxies: [px-1]
    archives: [ar-1, { host: ar-2, primary: false }, { host: ar-3, primary: false }]
    snapshots:
      every: 1h
    retention:
      keepDaily: 7
${options.restorePath ? `    restores:\n      - name: check\n        path: ${options.restorePath}\n` : ''}    replication:
      - from: ar-1
        to: ar-2
        mode: ${mode}
${mode === 'async' ? '        every: 1h\n' : ''}        compression: zstd
      - from: ar-1
        to: ar-3
        mode: async
        every: 1h
`,
    'hosts/px-1.yaml': walbHost('px-1', 'proxy', ports.proxy),
    'hosts/ar-1.yaml': walbHost('ar-1', 'archive', ports.ar1),
    'hosts/ar-2.yaml': walbHost('ar-2', 'archive', ports.ar2),
    'hosts/ar-3.yaml': 'host: ar-3\naddress: 127.0.0.1\nroles: [archive]\ndataDir: /srv/walbctl\narchive:\n  listen: 127.0.0.1:1\n  walbListen: 127.0.0.1:2\n',
  }));
  if (!state) throw new Error(`the test tree does not load: ${JSON.stringify(diagnostics)}`);
  return state;
}

export function context(desired: DesiredState, host: string): ActionContext {
  return { host: desired.hosts[host]!, volume: desired.hosts['db-1']!.volumes.pg!, volumeName: 'pg', desired, planCreatedAt: '2026-12-05T07:00:00Z' };
}

export function target(desired: DesiredState, host: string): ObserveTarget {
  return { host: desired.hosts[host]!, name: 'pg', volume: desired.hosts['db-1']!.volumes.pg!, desired };
}

/** Hands out `values` one per call, then keeps giving the last. */
export function sequence<T>(...values: T[]): () => T {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}
