import { describe, expect, it } from 'vitest';

import { withoutVolumes } from '../../../reconciler/daemon/select.js';
import { action, plan } from '../apply/fake-driver.js';

describe('holding back volumes that wait out a backoff', () => {
  it('removes their actions and every action depending on them, keeping the rest in order', () => {
    const p = plan([
      action('local/a:init'),
      action('local/b:init'),
      action('local/b:snapshot', { dependsOn: ['local/a:init'] }),
      action('local/c:snapshot'),
    ]);
    const { plan: kept, heldBack } = withoutVolumes(p, (address) => address === 'local/a');
    expect(kept.actions.map((a) => a.id)).toEqual(['local/b:init', 'local/c:snapshot']);
    expect(heldBack.sort()).toEqual(['local/a:init', 'local/b:snapshot']);
    expect(p.actions).toHaveLength(4);
  });
});
