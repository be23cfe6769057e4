import { describe, expect, it } from 'vitest';

import type { PMap } from '../../../reconciler/desired/node.js';
import { toPlain } from '../../../reconciler/desired/node.js';
import { parseFile } from '../../../reconciler/desired/parse-file.js';

describe('parseFile', () => {
  it('remembers the line and column of every scalar and the key of every collection', () => {
    const { root } = parseFile('hosts/a.yaml', 'host: a\nvolumes:\n  v:\n    size: 1GiB\n');
    const volumes = root!.entries.get('volumes') as PMap;
    const v = volumes.entries.get('v') as PMap;
    expect(root!.entries.get('host')!.at).toEqual({ file: 'hosts/a.yaml', line: 1, col: 7 });
    expect(v.at).toEqual({ file: 'hosts/a.yaml', line: 3, col: 3 });
    expect(v.entries.get('size')!.at).toEqual({ file: 'hosts/a.yaml', line: 4, col: 11 });
  });

  it('points a syntax error at its line and column', () => {
    const { root, diagnostics } = parseFile('hosts/a.yaml', 'host: a\nroles: [storage\naddress: x\n');
    expect(root).toBeNull();
    expect(diagnostics[0]).toMatchObject({ file: 'hosts/a.yaml', line: 2, col: 8 });
    expect(diagnostics[0].message).toMatch(/^YAML syntax: /);
  });

  it('points an unclosed quote at the quote', () => {
    expect(parseFile('hosts/a.yaml', 'host: a\naddress: "x\n').diagnostics[0]).toMatchObject({ line: 2, col: 10 });
  });

  it('treats an unknown tag as an error, not a warning', () => {
    const { diagnostics } = parseFile('hosts/a.yaml', 'host: !!binary a\nx: !nope 1\n');
    expect(diagnostics.map((d) => [d.line, d.col, d.message])).toEqual([[2, 4, 'unknown tag: !nope (walbctl knows !reset and !override)']]);
  });

  it('rejects duplicate keys', () => {
    const { diagnostics } = parseFile('hosts/a.yaml', 'host: a\nhost: b\n');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 2, col: 1, message: 'duplicate key (map keys must be unique)' });
  });

  it('keeps !reset as a tombstone and marks !override maps', () => {
    const { root } = parseFile('t.yaml', 'a: !reset\nb: !override\n  c: 1\nd: null\n');
    expect(root!.resets.has('a')).toBe(true);
    expect(root!.entries.has('a')).toBe(false);
    expect((root!.entries.get('b') as PMap).override).toBe(true);
    expect(toPlain(root!)).toEqual({ b: { c: 1 }, d: null });
  });

  it('refuses !reset inside a list', () => {
    const { diagnostics } = parseFile('t.yaml', 'a: [1, !reset]\n');
    expect(diagnostics[0].message).toMatch(/cannot stand in a list/);
  });

  it('expands aliases but stops an alias bomb', () => {
    expect(toPlain(parseFile('t.yaml', 'a: &x {k: 1}\nb: *x\n').root!)).toEqual({ a: { k: 1 }, b: { k: 1 } });
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 6; i++) rows.push(`${'abcdef'[i]}: &${'abcdef'[i]} [${Array(10).fill(`*${'abcdef'[i - 1]}`).join(', ')}]`);
    const { diagnostics } = parseFile('t.yaml', rows.join('\n') + '\n');
    expect(diagnostics.some((d) => /alias expansions/.test(d.message))).toBe(true);
  });

  it('reads an empty file as an empty map and a list as a problem', () => {
    expect(parseFile('t.yaml', '').root?.entries.size).toBe(0);
    expect(parseFile('t.yaml', '- a\n').diagnostics[0].message).toMatch(/must hold a map/);
  });
});
