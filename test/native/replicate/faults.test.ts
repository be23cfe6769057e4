/**
 * A small run of the replication fault campaign (scripts/replicate-faults.mjs runs ≥ 200 trials):
 * full, diff and hash replications, and diff replications from a diff the source merged across the
 * target's gid, each cut or with a flipped byte by the relay, recover and check.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runReplicaCampaign } from '../../../native/lib/replicate/testing/campaign.js';

describe('replication under faults', () => {
  it('recovers every interrupted full, diff, hash and merged-across replication with the target correct and the cursor true', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-repl-faults-'));
    try {
      const c = await runReplicaCampaign({ trials: 8, seed: 11, dir });
      expect(c.failures).toEqual([]);
      expect(c).toMatchObject({ trials: 8, checked: 8, failed: 0, byKind: { full: 2, diff: 2, hash: 2, merged: 2 } });
      expect(c.injected).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
