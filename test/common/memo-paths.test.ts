import { describe, expect, it } from 'vitest';

import { memoPaths } from '../../common/memo-paths.js';

describe('memoPaths', () => {
  it('builds a layout once per data directory and volume, and hands out the same frozen object', () => {
    let built = 0;
    const paths = memoPaths((dataDir: string, vol: string) => {
      built++;
      return { dir: `${dataDir}/${vol}` };
    });
    const a = paths('/d', 'v');
    expect(paths('/d', 'v')).toBe(a);
    expect(built).toBe(1);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { dir: string }).dir = '/elsewhere';
    }).toThrow(TypeError);
    expect(paths('/d', 'w').dir).toBe('/d/w');
    expect(paths('/e', 'v').dir).toBe('/e/v');
    expect(built).toBe(3);
  });

  it('does not remember a layout whose builder threw (an invalid volume name), and starts again empty past its limit', () => {
    let built = 0;
    const paths = memoPaths((dataDir: string, vol: string) => {
      built++;
      if (vol.includes('/')) throw new Error(`bad volume ${vol}`);
      return { dir: `${dataDir}/${vol}` };
    }, 2);
    expect(() => paths('/d', 'a/b')).toThrow('bad volume a/b');
    expect(() => paths('/d', 'a/b')).toThrow('bad volume a/b');
    paths('/d', 'x');
    paths('/d', 'y');
    paths('/d', 'z'); // the memo was full: emptied, then z
    built = 0;
    paths('/d', 'z');
    expect(built).toBe(0);
    paths('/d', 'x');
    expect(built).toBe(1);
  });
});
