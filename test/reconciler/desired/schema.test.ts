import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../../helpers/cli.js';

const run = (script: string): { status: number | null; stderr: string } => spawnSync(process.execPath, [join(projectRoot, 'schema', script), '--check'], { encoding: 'utf8' });

describe('schema/', () => {
  it('gives every schema file a $id and the 2020-12 dialect', () => {
    for (const name of ['common', 'host', 'volume', 'template']) {
      const schema = JSON.parse(readFileSync(join(projectRoot, 'schema', `${name}.schema.json`), 'utf8')) as Record<string, string>;
      expect(schema.$id).toBe(`https://walbctl.dev/schema/v1/${name}.schema.json`);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });

  it('compiles in ajv strict mode into the committed validators (not stale)', () => {
    const r = run('generate-validators.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('derives the committed raw TypeScript types (not stale)', () => {
    const r = run('generate-types.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
