/**
 * kill -9 of the storage, the wdev server (where a wdev can run), the proxy or an archive process at
 * random moments, and relays that cut, stall or flip a byte of the streams between them: every
 * acknowledged write reaches both archives once and restores to the device's bytes
 * (scripts/ship-faults.mjs does the work; run it with --trials 200 for the full campaign).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../../helpers/cli.js';

describe('log shipping under faults', () => {
  it('converges after 12 trials of killed processes and broken links, losing and duplicating nothing', { timeout: 240_000 }, () => {
    const seed = 2000 + (Date.now() % 1000);
    const env = { ...process.env, ...(existsSync('/dev/shm') ? { TMPDIR: '/dev/shm' } : {}) };
    const r = spawnSync(process.execPath, [join(projectRoot, 'scripts/ship-faults.mjs'), '--trials', '12', '--seed', String(seed), '--json'], { encoding: 'utf8', env, timeout: 230_000 });
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { trials: number; injected: number; checks: number; failures: string[]; storage: string };
    console.log(`ship-faults, seed ${seed}, storage: ${result.storage}`);
    expect(result.failures.join('\n'), `seed ${seed}`).toBe('');
    expect(r.status).toBe(0);
    expect(result.trials).toBe(12);
    expect(result.checks).toBe(24);
    expect(result.injected).toBeGreaterThanOrEqual(4);
  });
});
