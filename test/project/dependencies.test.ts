import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../helpers/cli.js';

function installedPackages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (!e.isDirectory() || e.name.startsWith('.')) return [];
    const path = join(dir, e.name);
    if (e.name.startsWith('@')) return installedPackages(path);
    return existsSync(join(path, 'package.json')) ? [path] : [];
  });
}

describe('the npm dependencies', () => {
  it('need no install scripts, because scripts/setup.sh runs npm ci --ignore-scripts', () => {
    const withScripts = installedPackages(join(projectRoot, 'node_modules')).filter((path) => {
      const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { scripts?: Record<string, string>; gypfile?: boolean };
      const s = pkg.scripts ?? {};
      return Boolean(s.preinstall || s.install || s.postinstall || pkg.gypfile || existsSync(join(path, 'binding.gyp')));
    });
    expect(withScripts).toEqual([]);
    expect(readFileSync(join(projectRoot, 'scripts/setup.sh'), 'utf8')).toContain('npm ci --ignore-scripts');
  });
});
