import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../helpers/cli.js';

describe('the project', () => {
  it('type-checks under strict NodeNext settings', { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
