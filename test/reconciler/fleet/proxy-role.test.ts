import { describe, expect, it } from 'vitest';

import type { DesiredState } from '../../../reconciler/model/desired.js';
import { proxiedVolumes } from '../../../reconciler/fleet/proxy-role.js';

type Pair = { from: string; to: string; mode: 'async' | 'sync' };

function state(volumes: Record<string, { host: string; proxies: string[]; archives: string[]; secondary?: string[]; replication?: Pair[] }>): DesiredState {
  const hosts: Record<string, { name: string; volumes: Record<string, unknown> }> = {};
  for (const [name, v] of Object.entries(volumes)) {
    hosts[v.host] ??= { name: v.host, volumes: {} };
    hosts[v.host]!.volumes[name] = { name, host: v.host, proxies: v.proxies, archives: v.archives.map((a) => ({ host: a, primary: !v.secondary?.includes(a) })), replication: v.replication ?? [] };
  }
  return { root: '/', revision: null, hosts } as unknown as DesiredState;
}

describe('which volumes a proxy host forwards', () => {
  it('lists every volume naming the host among its proxies, with that volume\'s archives, by name', () => {
    const d = state({
      pg: { host: 'db-1', proxies: ['px-1', 'px-2'], archives: ['ar-1', 'ar-2'] },
      mysql: { host: 'db-2', proxies: ['px-1'], archives: ['ar-2'] },
      logs: { host: 'db-2', proxies: ['px-2'], archives: ['ar-1'] },
    });
    expect(proxiedVolumes(d, 'px-1')).toEqual([
      { volume: 'mysql', archives: [{ host: 'ar-2' }] },
      { volume: 'pg', archives: [{ host: 'ar-1' }, { host: 'ar-2' }] },
    ]);
    expect(proxiedVolumes(d, 'ar-1')).toEqual([]);
  });

  it('leaves out a secondary archive: it gets the volume by replication, not from the proxy', () => {
    const d = state({ pg: { host: 'db-1', proxies: ['px-1'], archives: ['ar-1', 'ar-2'], secondary: ['ar-2'] } });
    expect(proxiedVolumes(d, 'px-1')).toEqual([{ volume: 'pg', archives: [{ host: 'ar-1' }] }]);
  });

  it('feeds a sync pair\'s target once it is synchronized, never an async target or a pair from a secondary', () => {
    const d = state({
      pg: {
        host: 'db-1', proxies: ['px-1'], archives: ['ar-1', 'ar-2', 'ar-3', 'ar-4'], secondary: ['ar-2', 'ar-3', 'ar-4'],
        replication: [{ from: 'ar-1', to: 'ar-2', mode: 'async' }, { from: 'ar-1', to: 'ar-3', mode: 'sync' }, { from: 'ar-2', to: 'ar-4', mode: 'sync' }],
      },
    });
    expect(proxiedVolumes(d, 'px-1')).toEqual([{ volume: 'pg', archives: [{ host: 'ar-1' }] }]);
    expect(proxiedVolumes(d, 'px-1', (v, t) => v === 'pg' && t === 'ar-3')).toEqual([{ volume: 'pg', archives: [{ host: 'ar-1' }, { host: 'ar-3' }] }]);
    expect(proxiedVolumes(d, 'px-1', () => true)).toEqual([{ volume: 'pg', archives: [{ host: 'ar-1' }, { host: 'ar-3' }] }]);
  });
});
