/**
 * A small run of the replication fault campaign (scripts/replicate-faults.mjs runs ≥ 200 trials):
 * full, diff and hash replications, each cut or with a flipped byte by the relay, recover and check.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runReplicaCampaign } from '../../../native/lib/replicate/testing/campaign.js';

describe('replication under faults', () => {
  it('recovers every interrupted full, diff and hash replication with the target correct and the cursor true', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-repl-faults-'));
    try {
      const c = await runReplicaCampaign({ trials: 6, seed: 11, dir });
      expect(c.failures).toEqual([]);
      expect(c).toMatchObject({ trials: 6, checked: 6, failed: 0, byKind: { full: 2, diff: 2, hash: 2 } });
      expect(c.injected).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
