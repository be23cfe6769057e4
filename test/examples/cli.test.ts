import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot, walbctl } from '../helpers/cli.js';

const fourHosts = join(projectRoot, 'examples/valid/four-hosts');
const threeLevels = join(projectRoot, 'examples/valid/three-level-templates');
const invalid = (name: string): string => join(projectRoot, 'examples/invalid', name);

describe('walbctl validate', () => {
  it('prints the diagnostics as objects with --json', async () => {
    const r = await walbctl(['validate', invalid('inherited-apply-point'), '--json']);
    const out = JSON.parse(r.stdout) as { valid: boolean; diagnostics: unknown[] };
    expect(r.code).toBe(1);
    expect(out.valid).toBe(false);
    expect(out.diagnostics).toEqual([
      {
        file: 'hosts/h1.yaml',
        line: 7,
        col: 3,
        path: 'volumes.v1.apply.olderThan',
        message: '30d falls inside what retention must keep restorable (93d, from retention.keepMonthly): make it at least 93d',
        setIn: { file: 'templates/volume/base.yaml', line: 3, col: 14 },
        via: [
          { file: 'templates/volume/monthly.yaml', line: 2, col: 11 },
          { file: 'hosts/h1.yaml', line: 18, col: 15 },
        ],
      },
    ]);
  });

  it('says valid with counts, and exits 0, on a good tree', async () => {
    const r = await walbctl(['validate', fourHosts, '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, diagnostics: [], hosts: 4, volumes: 2 });
    expect(r.code).toBe(0);
  });

  it('reports a directory without hosts/ as one problem', async () => {
    const r = await walbctl(['validate', join(projectRoot, 'schema')]);
    expect(r.stdout).toMatch(/^hosts\/: error: no hosts\/ directory in /);
    expect(r.code).toBe(1);
  });
});

describe('walbctl show desired', () => {
  it('prints the normalised state of one host and every host of the volumes it takes part in (its wire peers)', async () => {
    const r = await walbctl(['show', 'desired', fourHosts, '--host', 'px-1', '--json']);
    const state = JSON.parse(r.stdout) as { hosts: Record<string, unknown> };
    expect(Object.keys(state.hosts).sort()).toEqual(['ar-1', 'ar-2', 'db-1', 'px-1']);
  });

  it('prints diagnostics to stderr and exits 1 on a bad tree', async () => {
    const r = await walbctl(['show', 'desired', invalid('bad-cron'), '--json']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('hour: 25 is out of range 0-23');
    expect(r.code).toBe(1);
  });
});

describe('walbctl explain', () => {
  it('shows each merged value with where it was set and the templates it came through', async () => {
    const r = await walbctl(['explain', threeLevels, 'db-1/pg', 'retention']);
    expect(r.stdout).toBe(
      'db-1/pg\n' +
        '  retention.grid  "4x15m(keep=all) | 48x1h | 30x1d | 12x30d"  templates/volume/gold.yaml:8:9, via hosts/db-1.yaml:7:15\n',
    );
    expect(r.code).toBe(0);
  });

  it('follows a value three templates deep, nearest template first', async () => {
    const r = await walbctl(['explain', threeLevels, 'db-1/pg', 'merge.maxNr', '--json']);
    const out = JSON.parse(r.stdout) as { rows: Array<{ path: string; value: unknown; setIn: { file: string }; via: Array<{ file: string }> }> };
    expect(out.rows).toHaveLength(1);
    expect(out.rows[0].value).toBe(10);
    expect(out.rows[0].setIn.file).toBe('templates/volume/base.yaml');
    expect(out.rows[0].via.map((v) => v.file)).toEqual(['templates/volume/silver.yaml', 'templates/volume/gold.yaml', 'hosts/db-1.yaml']);
  });

  it('explains a host from a host template', async () => {
    const r = await walbctl(['explain', threeLevels, 'db-1', 'storage.wlogSize']);
    expect(r.stdout).toMatch(/^db-1\n {2}storage\.wlogSize +8GiB +templates\/host\/database\.yaml:6:13, via hosts\/db-1\.yaml:3:11\n$/);
  });

  it('takes the current directory when the first argument is not a tree', async () => {
    const r = await walbctl(['explain', 'db-1/pg', 'protect'], { cwd: threeLevels });
    expect(r.stdout).toMatch(/^db-1\/pg\n {2}protect +true +templates\/volume\/gold\.yaml:12:10/);
  });

  it('exits 1 naming what does not exist', async () => {
    expect((await walbctl(['explain', threeLevels, 'db-9/pg'])).stderr).toMatch(/no host "db-9"/);
    const r = await walbctl(['explain', threeLevels, 'db-1/pg', 'nothing.here']);
    expect(r.stderr).toMatch(/db-1\/pg has no nothing\.here/);
    expect(r.code).toBe(1);
  });
});

describe('help', () => {
  it.each([['validate'], ['show', 'desired'], ['explain']])('walbctl %s --help describes its usage', async (...words) => {
    const r = await walbctl([...words, '--help']);
    expect(r.stdout).toMatch(new RegExp(`^Usage: walbctl ${words.join(' ')} `));
    expect(r.stdout).toContain('--json');
  });
});

describe('walbctl explain defaults', () => {
  it('lists the defaults for keys nobody set, marked as such', async () => {
    const r = await walbctl(['explain', 'local/demo'], { cwd: projectRoot });
    expect(r.stdout).toMatch(/^ {2}merge\.thresholdNr +20 +\(default\)$/m);
    expect(r.stdout).toMatch(/^ {2}suspend +false +\(default\)$/m);
    expect(r.stdout).not.toMatch(/^ {2}protect +false +\(default\)$/m);
  });

  it('explains a single defaulted key, with setIn null in JSON', async () => {
    const r = await walbctl(['explain', 'local/demo', 'merge.thresholdNr', '--json'], { cwd: projectRoot });
    expect(JSON.parse(r.stdout).rows).toEqual([{ path: 'merge.thresholdNr', value: 20, setIn: null, via: [] }]);
  });
});
