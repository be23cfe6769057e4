import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../helpers/cli.js';

function tsc(project: string) {
  return spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], { cwd: projectRoot, encoding: 'utf8' });
}

describe('the project', () => {
  it('type-checks under strict NodeNext settings', { timeout: 120_000 }, () => {
    const r = tsc('tsconfig.json');
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('type-checks the tests with the code they call (a test left on an old signature fails here, not when it runs)', { timeout: 180_000 }, () => {
    const r = tsc('tsconfig.test.json');
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
