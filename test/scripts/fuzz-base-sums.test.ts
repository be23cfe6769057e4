import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../helpers/cli.js';

describe('scripts/fuzz-base-sums.mjs', () => {
  it('mutates base.sums files and base images for a few seconds and finds every mutation, or names the failing input', { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [join(projectRoot, 'scripts/fuzz-base-sums.mjs'), '3', '12345'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^fuzz_base_sums: OK, \d+ executions in 3s, reader \d+\/\d+ mutations rejected, image (\d+)\/\1 mutations found/);
    expect(r.status).toBe(0);
  });
});
