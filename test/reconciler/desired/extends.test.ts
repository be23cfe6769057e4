import { describe, expect, it } from 'vitest';

import { formatDiagnostic } from '../../../reconciler/desired/diagnostic.js';
import { loadDesiredStateSync } from '../../../reconciler/desired/load.js';
import { resolveTree } from '../../../reconciler/desired/resolve.js';
import { toPlain, type PMap } from '../../../reconciler/desired/node.js';
import { hostFile, writeTree } from './tree-fixture.js';

describe('extends', () => {
  it('applies templates left to right, then the file itself', () => {
    const root = writeTree({
      'hosts/h1.yaml': hostFile('h1', '    extends: [a, b]\n    capture: scan\n'),
      'templates/volume/a.yaml': 'capture: wdev\nprotect: true\nmerge: {maxNr: 5, interval: 2h}\n',
      'templates/volume/b.yaml': 'protect: false\nmerge: {maxNr: 7}\n',
    });
    const v1 = loadDesiredStateSync(root).state!.hosts.h1.volumes.v1;
    expect(v1.capture).toBe('scan');
    expect(v1.protect).toBe(false);
    expect(v1.merge).toMatchObject({ maxNr: 7, intervalSeconds: 7200 });
  });

  it('resolves a template\'s own extends first and records the whole chain', () => {
    const root = writeTree({
      'hosts/h1.yaml': hostFile('h1', '    extends: [c]\n'),
      'templates/volume/c.yaml': 'extends: [b]\n',
      'templates/volume/b.yaml': 'extends: [a]\n',
      'templates/volume/a.yaml': 'suspend: true\n',
    });
    const { fleet } = resolveTree(root);
    const host = fleet.hosts.get('h1')!;
    const v1 = (fleet.treeOf(host).entries.get('volumes') as PMap).entries.get('v1') as PMap;
    const suspend = v1.entries.get('suspend')!;
    expect(suspend.at).toEqual({ file: 'templates/volume/a.yaml', line: 1, col: 10 });
    expect(suspend.via.map((v) => v.file)).toEqual(['templates/volume/b.yaml', 'templates/volume/c.yaml', 'hosts/h1.yaml']);
    expect(toPlain(v1)).toMatchObject({ suspend: true });
  });

  it('applies host templates, and volume templates named from them', () => {
    const root = writeTree({
      'hosts/h1.yaml': 'host: h1\nextends: [base]\naddress: 10.0.0.1\n',
      'templates/host/base.yaml': `roles: [storage, proxy, archive]\ndataDir: /srv\nvolumes:\n  v1:\n    extends: [std]\n    device: {path: v1.img, size: 1GiB}\n`,
      'templates/volume/std.yaml': 'proxies: [h1]\narchives: [h1]\nsnapshots: {every: 1h}\nretention: {keepLast: 3}\n',
    });
    const { state, diagnostics } = loadDesiredStateSync(root);
    expect(diagnostics).toEqual([]);
    expect(state!.hosts.h1.volumes.v1.device.path).toBe('/srv/v1.img');
  });

  it('reports a missing template at the extends entry, naming the file it looked for', () => {
    const root = writeTree({ 'hosts/h1.yaml': hostFile('h1', '    extends: [nope]\n'), 'templates/host/nope.yaml': 'driver: native\n' });
    const text = loadDesiredStateSync(root).diagnostics.map(formatDiagnostic);
    expect(text).toEqual(['hosts/h1.yaml:16:15: error: volumes.v1.extends[0]: no volume template "nope" (looked for templates/volume/nope.yaml; templates/host/nope.yaml is a host template)']);
  });

  it('reports a cycle once, at the entry that closes it', () => {
    const root = writeTree({
      'hosts/h1.yaml': hostFile('h1', '    extends: [a]\n'),
      'hosts/h2.yaml': hostFile('h2', '    extends: [a]\n').replace('v1:', 'v2:'),
      'templates/volume/a.yaml': 'extends: [b]\n',
      'templates/volume/b.yaml': 'extends: a\n',
    });
    const text = loadDesiredStateSync(root).diagnostics.map(formatDiagnostic);
    expect(text).toEqual(['templates/volume/b.yaml:1:10: error: extends: extends cycle: volume/a → volume/b → volume/a']);
  });

  it('says where an inherited bad value was set and through which templates', () => {
    const root = writeTree({
      'hosts/h1.yaml': hostFile('h1', '    extends: [monthly]\n'),
      'templates/volume/monthly.yaml': 'apply:\n  olderThan: 1d\n',
    });
    const text = loadDesiredStateSync(root).diagnostics.map(formatDiagnostic);
    expect(text).toEqual([
      'hosts/h1.yaml:6:3: error: volumes.v1.apply.olderThan: 1d falls inside what retention must keep restorable (1w, from retention.keepDaily): make it at least 1w\n  (set in templates/volume/monthly.yaml:2:14, via hosts/h1.yaml:16:15)',
    ]);
  });

  it('reports a bad value in a template once, at the template, however many hosts use it', () => {
    const root = writeTree({
      'hosts/h1.yaml': hostFile('h1', '    extends: [t]\n'),
      'hosts/h2.yaml': hostFile('h2', '    extends: [t]\n').replace('v1:', 'v2:'),
      'templates/volume/t.yaml': 'merge:\n  maxSize: 12 parsecs\n',
    });
    const { diagnostics } = loadDesiredStateSync(root);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual(['templates/volume/t.yaml:2:12']);
  });
});
