import { describe, expect, it } from 'vitest';

import { formatBytes, formatSize, parseRate, parseSize } from '../../../reconciler/util/size.js';
import { UnitSyntaxError } from '../../../reconciler/util/unit-error.js';

describe('parseSize', () => {
  it.each([
    ['512MiB', 536_870_912],
    ['2GiB', 2_147_483_648],
    ['1.5TB', 1_500_000_000_000],
    ['1.5TiB', 1_649_267_441_664],
    ['4kB', 4000],
    ['4KiB', 4096],
    ['100', 100],
    ['100B', 100],
    ['64 MiB', 67_108_864],
  ])('reads %s as %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('keeps binary and decimal units distinct', () => {
    expect(parseSize('1MiB')).not.toBe(parseSize('1MB'));
  });

  it('takes a YAML number as bytes', () => {
    expect(parseSize(4096)).toBe(4096);
  });

  it.each(['', 'MiB', '1.5B', '12 parsecs', '-1MiB', '1e3MB'])('rejects %j', (text) => {
    expect(() => parseSize(text)).toThrow(UnitSyntaxError);
  });

  it('suggests the right spelling of a unit', () => {
    expect(() => parseSize('5mib')).toThrow(/did you mean MiB\?/);
  });
});

describe('parseRate and formatSize', () => {
  it('reads a rate with or without /s', () => {
    expect(parseRate('100MiB/s')).toBe(104_857_600);
    expect(parseRate('100MiB')).toBe(104_857_600);
  });

  it('formats with the largest exact binary unit', () => {
    expect(formatSize(67_108_864)).toBe('64MiB');
    expect(formatSize(1000)).toBe('1000B');
  });
});

describe('formatBytes', () => {
  it('prints bytes below 1 KiB as they are and larger counts in binary units with one decimal', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '5.0 GiB']);
  });

  it('drops a trailing .0 for plan reasons and the decimal from 100 up for progress', () => {
    expect([formatBytes(2 * 1024 ** 2, { trimZero: true }), formatBytes(1.5 * 1024 ** 2, { trimZero: true })]).toEqual(['2 MiB', '1.5 MiB']);
    expect([formatBytes(123.4 * 1024 ** 2, { wholeAbove100: true }), formatBytes(99.5 * 1024, { wholeAbove100: true })]).toEqual(['123 MiB', '99.5 KiB']);
  });
});
