import { describe, expect, it } from 'vitest';

import { conditionsFor } from '../../../reconciler/daemon/conditions.js';
import { emptyVolumeStatus, type DaemonStatus } from '../../../reconciler/daemon/status-model.js';
import { volumeSummary } from '../../../reconciler/daemon/summary.js';

describe('the one-line volume summary', () => {
  it('groups volumes by how they stand and names the next scheduled action', () => {
    const now = '2026-11-21T10:00:00.000Z';
    const vol = (address: string, conditions = conditionsFor({ kind: 'succeeded', message: '' }, { previous: [], now, invalid: null })) => ({ ...emptyVolumeStatus(address), conditions });
    const status = {
      volumes: {
        b: { ...vol('local/b'), nextScheduled: { kind: 'snapshot', at: '2026-11-21T10:05:00.000Z' } },
        a: { ...vol('local/a'), nextScheduled: { kind: 'merge', at: '2026-11-21T10:01:00.000Z' } },
        c: vol('local/c', conditionsFor({ kind: 'stuck', reason: 'Blocked', message: 'x' }, { previous: [], now, invalid: null })),
        d: vol('local/d', []),
      },
    } as unknown as DaemonStatus;
    expect(volumeSummary(status)).toEqual({ line: '2 Ready: a, b; 1 Stalled (Blocked): c; 1 not Ready (Pending): d', next: { kind: 'merge', at: '2026-11-21T10:01:00.000Z' } });
    expect(volumeSummary({ volumes: {} } as unknown as DaemonStatus).line).toBe('no volumes');
  });
});
