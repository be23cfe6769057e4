/**
 * Sizes as operators write them. Binary units (`KiB`, `MiB`, `GiB`, `TiB`, `PiB`: powers of 1024)
 * and decimal units (`kB`/`KB`, `MB`, `GB`, `TB`, `PB`: powers of 1000) are distinct, so `512MiB`
 * is 536870912 bytes and `1.5TB` is 1500000000000 bytes. A bare number or `B` is bytes.
 */
import { UnitSyntaxError } from './unit-error.js';

const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  PiB: 1024 ** 5,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
};
const HINT = 'expected a number and a unit (B, KiB, MiB, GiB, TiB, PiB or kB, MB, GB, TB, PB), like 512MiB or 1.5TB';

/** Parses a size into bytes. A number (YAML `4096`) is bytes. Throws UnitSyntaxError. */
export function parseSize(text: string | number): number {
  const source = String(text);
  const fail = (reason: string): never => {
    throw new UnitSyntaxError('size', source, reason);
  };
  if (typeof text === 'number') {
    if (!Number.isSafeInteger(text) || text < 0) fail('a size in bytes must be a whole, non-negative number');
    return text;
  }
  const m = /^(\d+(?:\.\d+)?)\s?([A-Za-z]*)$/.exec(text);
  if (!m) fail(HINT);
  const [, number, unit] = m!;
  const scale = UNITS[unit];
  if (scale === undefined) {
    const near = Object.keys(UNITS).find((u) => u && u.toLowerCase() === unit.toLowerCase());
    fail(`unknown unit "${unit}"${near ? ` (did you mean ${near}?)` : ''}; ${HINT}`);
  }
  const bytes = exactProduct(number, scale);
  if (bytes === null) fail(`${text} is not a whole number of bytes`);
  if (!Number.isSafeInteger(bytes)) fail('too large');
  return bytes!;
}

/** number × scale without floating-point error: `1.5` × 1e12 is exactly 1.5e12. Null when not whole. */
function exactProduct(number: string, scale: number): number | null {
  const [whole, fraction = ''] = number.split('.');
  const digits = BigInt(whole + fraction);
  const denominator = 10n ** BigInt(fraction.length);
  const product = digits * BigInt(scale);
  if (product % denominator !== 0n) return null;
  return Number(product / denominator);
}

/** A rate such as `100MiB/s` or `100MiB` (per second implied): bytes per second. */
export function parseRate(text: string | number): number {
  if (typeof text === 'string' && text.endsWith('/s')) return parseSize(text.slice(0, -2));
  return parseSize(text);
}

/** Formats bytes with the largest binary unit that divides them exactly: 67108864 → `64MiB`. */
export function formatSize(bytes: number): string {
  for (const unit of ['PiB', 'TiB', 'GiB', 'MiB', 'KiB']) {
    if (bytes > 0 && bytes % UNITS[unit] === 0) return `${bytes / UNITS[unit]}${unit}`;
  }
  return `${bytes}B`;
}

/**
 * A byte count in binary units: `512 B`, `1.5 MiB`. One decimal by default; `trimZero` drops a `.0`
 * (`2 GiB`, for plan reasons); `wholeAbove100` prints no decimal from 100 up (`123 MiB`, for progress).
 */
export function formatBytes(n: number, opts: { trimZero?: boolean; wholeAbove100?: boolean } = {}): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${n} B`;
  const text = v.toFixed(opts.wholeAbove100 && v >= 100 ? 0 : 1);
  return `${opts.trimZero ? text.replace(/\.0$/, '') : text} ${units[i]}`;
}
