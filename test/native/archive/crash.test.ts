/**
 * kill -9 at random points of full backup, snapshot, merge, apply and restore, then the same command
 * again: the archive verifies and restores correctly (scripts/crash-archive.mjs does the work; run
 * it with more trials for a longer search).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../../helpers/cli.js';

describe('the archive under kill -9', () => {
  it('verifies and restores every checked gid exactly after 50 trials of killed and re-run operations', { timeout: 240_000 }, () => {
    const seed = 1000 + (Date.now() % 1000);
    // Killing a process leaves the page cache intact, so a tmpfs shows the same states, faster.
    const env = { ...process.env, ...(existsSync('/dev/shm') ? { TMPDIR: '/dev/shm' } : {}) };
    const r = spawnSync(process.execPath, [join(projectRoot, 'scripts/crash-archive.mjs'), '--trials', '50', '--seed', String(seed), '--json'], {
      encoding: 'utf8',
      env,
      timeout: 230_000,
    });
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { trials: number; kills: number; failures: string[]; byOp: Record<string, number> };
    expect(result.failures.join("\n"), `seed ${seed}`).toBe("");
    expect(r.status).toBe(0);
    expect(result.trials).toBe(50);
    expect(result.kills).toBeGreaterThanOrEqual(10);
    expect(Object.keys(result.byOp).sort()).toEqual(['apply', 'full-backup', 'merge', 'restore', 'snapshot']);
  });
});
