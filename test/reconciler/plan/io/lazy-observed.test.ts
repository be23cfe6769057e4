import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { computePlan } from '../../../../reconciler/plan/compute.js';
import { readDesiredJson } from '../../../../reconciler/plan/io/desired-json.js';
import { LazyObservedDeclined, lazyObservedState } from '../../../../reconciler/plan/io/lazy-observed.js';
import { resolveFixturePaths } from '../../../../reconciler/plan/io/observed.js';
import { parseObservedState } from '../../../../reconciler/plan/observed-json.js';
import { renderPlanText } from '../../../../reconciler/render/plan-text.js';
import { projectRoot, walbctl } from '../../../helpers/cli.js';

const cases = join(projectRoot, 'test/fixtures/plan');
const names = readdirSync(cases).filter((n) => !n.includes('.'));
const read = (name: string): string => readFileSync(join(cases, name, 'observed.json'), 'utf8');

/** Every volume the lazy reading gives, as a plain object. */
function drain(text: string, root: string) {
  const { observed, source } = lazyObservedState(text, 'obs.json', root);
  return { ...observed, volumes: Object.fromEntries(source.names.map((n) => [n, source.get(n)])) };
}

describe('lazyObservedState', () => {
  it.each(names)('reads the %s fixture, pretty-printed or compact, as parseObservedState and resolveFixturePaths do', (name) => {
    const text = read(name);
    const expected = resolveFixturePaths(parseObservedState(text, 'obs.json'), '/tree');
    expect(drain(text, '/tree')).toEqual(expected);
    expect(drain(JSON.stringify(JSON.parse(text)), '/tree')).toEqual(expected);
  });

  it('lists the volumes in the order Object.keys gives', () => {
    const o = JSON.parse(read('restores'));
    o.volumes = { zeta: { ...o.volumes.demo, name: 'zeta' }, ...o.volumes, alpha: { ...o.volumes.demo, name: 'alpha' } };
    expect(lazyObservedState(JSON.stringify(o, null, 1), 'obs.json', '/').source.names).toEqual(Object.keys(o.volumes));
  });

  it('reads a volume whose strings hold balanced braces exactly', () => {
    const o = JSON.parse(read('restores'));
    o.volumes.demo.storage.devicePath = '/srv/{a}/demo.img';
    const text = JSON.stringify(o);
    expect(drain(text, '/')).toEqual(parseObservedState(text, 'obs.json'));
  });

  const declines = (edit: (o: any) => void, when: 'open' | 'get'): void => {
    const o = JSON.parse(read('restores'));
    edit(o);
    const text = JSON.stringify(o, null, 2);
    if (when === 'open') expect(() => lazyObservedState(text, 'obs.json', '/')).toThrow(LazyObservedDeclined);
    else expect(() => drain(text, '/')).toThrow(LazyObservedDeclined);
  };

  it('declines what it cannot read the ordinary way, so the caller reads it with parseObservedState', () => {
    declines((o) => { o.volumes.demo.storage.devicePath = '/srv/x}.img'; }, 'get'); // an unbalanced brace in a string
    declines((o) => { o.volumes.demo.archive.diffs[0].dataSize = -1; }, 'get'); // a volume the quick checks refuse
    declines((o) => { o.volumes['42'] = { ...o.volumes.demo, name: '42' }; }, 'open');
    declines((o) => { o.formatVersion = 2; }, 'open');
    declines((o) => { o.lastApplied = 'yes'; }, 'open');
    declines((o) => { o.volumes = []; }, 'open');
    expect(() => lazyObservedState('{"volumes": {"a": {"name": "a"}}, "volumes": {}}', 'obs.json', '/')).toThrow(LazyObservedDeclined);
    const broken = read('restores').replace('"name": "demo",', '"name": "demo",,');
    expect(() => drain(broken, '/')).toThrow(LazyObservedDeclined); // a syntax error inside a volume
  });
});

describe('walbctl plan (text) on fixtures the lazy reading declines', () => {
  it.each([
    ['an unbalanced brace in a path', (o: any) => { o.volumes.demo.storage.devicePath = '/srv/x}.img'; }],
    ['a volume keyed by a number', (o: any) => { o.volumes['7'] = { name: '7' }; }],
  ])('prints the same plan as the ordinary reading for %s', async (_name, edit) => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const o = JSON.parse(read('restores'));
    edit(o);
    const file = join(mkdtempSync(join(tmpdir(), 'walbctl-lazy-')), 'observed.json');
    writeFileSync(file, JSON.stringify(o, null, 2));
    const desiredFile = join(cases, 'restores', 'desired.json');
    const r = await walbctl(['plan', '--host', 'local', '--desired', desiredFile, '--observed', file, '--now', '2026-11-21T12:00:00Z']);
    expect(r.code).toBe(0);
    const desired = await readDesiredJson(desiredFile);
    const observed = resolveFixturePaths(parseObservedState(JSON.stringify(o), file), desired.root);
    expect(r.stdout).toBe(renderPlanText(computePlan(desired, observed, new Date('2026-11-21T12:00:00Z')).plan));
  });

  it('names the first bad field of a bad volume exactly as before', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const o = JSON.parse(read('restores'));
    o.volumes.demo.archive.diffs[1].timestamp = 'noon';
    const file = join(mkdtempSync(join(tmpdir(), 'walbctl-lazy-')), 'observed.json');
    writeFileSync(file, JSON.stringify(o));
    const r = await walbctl(['plan', '--host', 'local', '--desired', join(cases, 'restores', 'desired.json'), '--observed', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`walbctl: error: ${file}: volumes.demo.archive.diffs[1].timestamp: expected a UTC ISO 8601 time, got "noon"\n`);
  });
});
