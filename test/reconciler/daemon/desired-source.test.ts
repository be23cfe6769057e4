import { describe, expect, it } from 'vitest';

import { rebaseDesiredState } from '../../../reconciler/daemon/desired-source.js';
import { desiredFor, volume } from '../apply/fake-driver.js';

describe('moving a local repository\'s paths out of the daemon\'s working copy', () => {
  it('rebases the data directory, images and restores under the clone onto the repository', () => {
    const { desired } = desiredFor('/state/checkout/data', [
      volume('demo', {
        device: { path: '/state/checkout/data/volumes/demo.img', kind: 'file', sizeBytes: 1 },
        restores: [{ name: 'n', pick: 'newest', path: '/state/checkout/data/restores/n.img', verify: true }],
      }),
      volume('raw', { device: { path: '/dev/sdb', kind: 'block', sizeBytes: 1 } }),
    ]);
    const moved = rebaseDesiredState(desired, '/state/checkout', '/home/me/fleet');
    const host = moved.hosts.local;
    expect(host.dataDir).toBe('/home/me/fleet/data');
    expect(host.volumes.demo.device.path).toBe('/home/me/fleet/data/volumes/demo.img');
    expect(host.volumes.demo.restores[0].path).toBe('/home/me/fleet/data/restores/n.img');
    expect(host.volumes.raw.device.path).toBe('/dev/sdb');
    expect(desired.hosts.local.dataDir).toBe('/state/checkout/data');
  });

  it('does not touch a path that only shares a prefix', () => {
    const { desired } = desiredFor('/state/checkout-old/data', []);
    expect(rebaseDesiredState(desired, '/state/checkout', '/x').hosts.local.dataDir).toBe('/state/checkout-old/data');
  });
});
