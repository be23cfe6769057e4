import { describe, expect, it } from 'vitest';

import type { DesiredState } from '../../../reconciler/model/desired.js';
import { shippedVolumes } from '../../../reconciler/fleet/ship-role.js';

function state(volumes: Record<string, { host: string; capture: 'wdev' | 'scan'; proxies: string[] }>): DesiredState {
  const hosts: Record<string, { name: string; volumes: Record<string, unknown> }> = {};
  for (const [name, v] of Object.entries(volumes)) {
    hosts[v.host] ??= { name: v.host, volumes: {} };
    hosts[v.host]!.volumes[name] = { name, host: v.host, capture: v.capture, proxies: v.proxies, archives: [{ host: 'ar-1', primary: true }] };
  }
  return { root: '/', revision: null, hosts } as unknown as DesiredState;
}

describe('which volumes a storage host ships to proxies', () => {
  it('lists its wdev volumes that name proxies on other hosts, with those proxies in the tree\'s order', () => {
    const d = state({
      pg: { host: 'db-1', capture: 'wdev', proxies: ['px-2', 'px-1'] },
      scan: { host: 'db-1', capture: 'scan', proxies: ['px-1'] },
      alone: { host: 'db-1', capture: 'wdev', proxies: ['db-1'] },
      none: { host: 'db-1', capture: 'wdev', proxies: [] },
      other: { host: 'db-2', capture: 'wdev', proxies: ['px-1'] },
    });
    expect(shippedVolumes(d, 'db-1')).toEqual([{ volume: 'pg', proxies: ['px-2', 'px-1'] }]);
    expect(shippedVolumes(d, 'px-1')).toEqual([]);
  });

  it('leaves the host itself out of the proxies: a host that is its own proxy ships at each snapshot, on the host', () => {
    const d = state({ pg: { host: 'db-1', capture: 'wdev', proxies: ['db-1', 'px-1'] } });
    expect(shippedVolumes(d, 'db-1')).toEqual([{ volume: 'pg', proxies: ['px-1'] }]);
  });
});
