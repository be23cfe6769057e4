import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../helpers/cli.js';

/** Every relative import of every .ts file under `dir`, as [file, resolved target] pairs. */
function importsUnder(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const src = readFileSync(p, 'utf8');
        for (const m of src.matchAll(/(?:from\s+|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
          out.push([relative(projectRoot, p), relative(projectRoot, resolve(dirname(p), m[1]!))]);
        }
      }
    }
  };
  walk(join(projectRoot, dir));
  return out;
}

describe('the layers', () => {
  it('the data path (native/lib) never imports the reconciler', () => {
    const upward = importsUnder('native/lib').filter(([, target]) => target.startsWith('reconciler/'));
    expect(upward).toEqual([]);
  });

  it('common/ imports neither the data path nor the reconciler', () => {
    const upward = importsUnder('common').filter(([, t]) => t.startsWith('reconciler/') || t.startsWith('native/'));
    expect(upward).toEqual([]);
  });
});
