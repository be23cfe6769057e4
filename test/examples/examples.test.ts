import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot, walbctl } from '../helpers/cli.js';

const validDir = join(projectRoot, 'examples/valid');
const invalidDir = join(projectRoot, 'examples/invalid');
const fleets = readdirSync(validDir).sort();
const cases = readdirSync(invalidDir).sort();

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => join(e.parentPath, e.name));
}

describe('examples/valid', () => {
  it('holds the single-host, four-host and three-level-template fleets', () => {
    expect(fleets).toEqual(expect.arrayContaining(['single-host', 'four-hosts', 'three-level-templates']));
  });

  it.each(fleets)('%s validates', async (fleet) => {
    const r = await walbctl(['validate', join(validDir, fleet)]);
    expect(r.stdout).toMatch(/^valid: \d+ hosts?, \d+ volumes?\n$/);
    expect(r.code).toBe(0);
  });

  it.each(fleets)('%s normalises to a DesiredState', async (fleet) => {
    const r = await walbctl(['show', 'desired', join(validDir, fleet), '--json']);
    expect(r.code).toBe(0);
    const state = JSON.parse(r.stdout) as { hosts: Record<string, { volumes: object }> };
    expect(Object.keys(state.hosts).length).toBeGreaterThan(0);
  });
});

describe('examples/invalid', () => {
  it('holds at least the 20 cases the issue lists', () => {
    const required = [
      'yaml-syntax-error', 'unknown-key', 'wrong-type', 'bad-duration', 'bad-size', 'bad-cron', 'bad-grid',
      'missing-template', 'extends-cycle', 'unknown-tag', 'dangling-host-reference', 'role-mismatch', 'unsafe-name',
      'duplicate-device', 'replication-cycle', 'retention-keeps-nothing', 'apply-inside-retention',
      'volume-two-storage-hosts', 'reset-required-key', 'host-name-mismatch',
    ];
    expect(cases).toEqual(expect.arrayContaining(required));
  });

  it.each(cases)('%s prints exactly its expected.txt and exits 1', async (name) => {
    const expected = readFileSync(join(invalidDir, name, 'expected.txt'), 'utf8');
    const r = await walbctl(['validate', join(invalidDir, name)]);
    expect(r.stdout).toBe(expected);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });
});

describe('example files', () => {
  it.each([...fleets.map((f) => join(validDir, f)), ...cases.map((c) => join(invalidDir, c))])('%s carries a yaml-language-server $schema line in every file', (dir) => {
    for (const file of yamlFiles(dir)) {
      const text = readFileSync(file, 'utf8');
      const kind = file.includes('/templates/') ? 'template' : 'host';
      const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
      expect(m?.[1], file).toMatch(new RegExp(`^(\\.\\./)+schema/${kind}\\.schema\\.json$`));
      expect(existsSync(resolve(dirname(file), m![1])), file).toBe(true);
    }
  });
});
