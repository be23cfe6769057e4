import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { readTextFile } from '../../../../reconciler/plan/io/read-text.js';

const dir = mkdtempSync(join(tmpdir(), 'walbctl-read-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roundTrip(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text, 'utf8');
  return readTextFile(file);
}

describe('readTextFile', () => {
  it('reads a pure-ASCII file as its text', () => {
    const text = JSON.stringify({ host: 'local', volumes: { demo: { gid: 120 } } }) + '\n';
    expect(roundTrip('ascii.json', text)).toBe(text);
  });

  it('decodes a file with non-ASCII characters as UTF-8, not byte by byte', () => {
    const text = '{"reason":"retention drops 11 snapshots (10, 20, 30, …, 110)","owner":"José"}';
    expect(roundTrip('utf8.json', text)).toBe(text);
  });

  it('fails with the file system error for a missing file', () => {
    expect(() => readTextFile(join(dir, 'missing.json'))).toThrow(/ENOENT/);
  });
});
