import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadDesiredStateSync } from '../../../reconciler/desired/load.js';
import { projectRoot } from '../../helpers/cli.js';

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [' ', '\n', ':', '-', '[', ']', '{', '}', '!reset', '!override', '"', '0', '1h', 'x', '  ', '#', '&a', '*a', 'null', '-1'];

describe('the loader on damaged files', () => {
  it('answers every mutation of a valid fleet with a state or diagnostics, never a crash', { timeout: 60_000 }, () => {
    const source = join(projectRoot, 'examples/valid/three-level-templates');
    const files = ['hosts/db-1.yaml', 'templates/volume/gold.yaml', 'templates/host/database.yaml'];
    // SEED=n npx vitest run … tries other mutations (3,000 of them ran clean when this was written).
    const random = rng(Number(process.env.SEED ?? 20261122));
    for (let trial = 0; trial < 150; trial++) {
      const root = mkdtempSync(join(tmpdir(), 'walbctl-mutate-'));
      cpSync(source, root, { recursive: true });
      const file = files[trial % files.length];
      let text = readFileSync(join(root, file), 'utf8');
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * text.length);
        const cut = Math.floor(random() * 4);
        text = text.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + text.slice(at + cut);
      }
      writeFileSync(join(root, file), text);
      let result: ReturnType<typeof loadDesiredStateSync> | undefined;
      expect(() => (result = loadDesiredStateSync(root)), `trial ${trial}:\n${text}`).not.toThrow();
      expect(result!.state === null).toBe(result!.diagnostics.length > 0);
      for (const d of result!.diagnostics) expect(d.message.length, JSON.stringify(d)).toBeGreaterThan(0);
    }
  });
});
