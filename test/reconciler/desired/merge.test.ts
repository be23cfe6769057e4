import { describe, expect, it } from 'vitest';

import { mergeNodes } from '../../../reconciler/desired/merge.js';
import { toPlain, type PMap } from '../../../reconciler/desired/node.js';
import { parseFile } from '../../../reconciler/desired/parse-file.js';

const tree = (text: string): PMap => parseFile('t.yaml', text).root!;
const merged = (base: string, over: string): unknown => toPlain(mergeNodes(tree(base), tree(over)));

describe('mergeNodes', () => {
  it('deep-merges maps key by key', () => {
    expect(merged('a: {x: 1, y: 2}\nb: 1\n', 'a: {y: 3, z: 4}\n')).toEqual({ a: { x: 1, y: 3, z: 4 }, b: 1 });
  });

  it('replaces lists and scalars whole', () => {
    expect(merged('l: [1, 2, 3]\ns: a\n', 'l: [9]\ns: b\n')).toEqual({ l: [9], s: 'b' });
  });

  it('deletes a key set to !reset', () => {
    expect(merged('a: {x: 1, y: 2}\n', 'a: {x: !reset}\n')).toEqual({ a: { y: 2 } });
  });

  it('replaces a map tagged !override instead of merging it', () => {
    expect(merged('a: {x: 1, y: 2}\n', 'a: !override {z: 3}\n')).toEqual({ a: { z: 3 } });
  });

  it('keeps a plain null as a value', () => {
    expect(merged('a: {x: 1}\n', 'a: null\n')).toEqual({ a: null });
  });

  it('remembers which layer set each value', () => {
    const base = parseFile('base.yaml', 'a: {x: 1, y: 2}\n').root!;
    const over = parseFile('over.yaml', 'a: {y: 3}\n').root!;
    const a = (mergeNodes(base, over) as PMap).entries.get('a') as PMap;
    expect(a.entries.get('x')!.at.file).toBe('base.yaml');
    expect(a.entries.get('y')!.at.file).toBe('over.yaml');
  });

  it('leaves both inputs unchanged', () => {
    const base = tree('a: {x: 1}\n');
    mergeNodes(base, tree('a: {x: !reset, y: 2}\n'));
    expect(toPlain(base)).toEqual({ a: { x: 1 } });
  });
});
