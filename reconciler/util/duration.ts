/**
 * Durations as operators write them: `90s`, `15m`, `1h30m`, `7d`, `2w`. Parts go from the largest
 * unit to the smallest, each unit at most once; the value is a whole number of seconds.
 */
import { UnitSyntaxError } from './unit-error.js';

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['w', 604_800],
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];
const HINT = 'expected whole numbers with units w, d, h, m, s from largest to smallest, like 90s, 15m, 1h30m, 7d';

/** Parses a duration into seconds. Throws UnitSyntaxError naming what is wrong. */
export function parseDuration(text: string): number {
  const fail = (reason: string): never => {
    throw new UnitSyntaxError('duration', text, reason);
  };
  if (typeof text !== 'string' || text.length === 0) fail(HINT);
  const parts = text.match(/\d+[a-zA-Z]*/g);
  if (!parts || parts.join('') !== text) fail(HINT);
  let seconds = 0;
  let last = -1;
  for (const part of parts!) {
    const unit = part.replace(/^\d+/, '');
    const index = UNITS.findIndex(([u]) => u === unit);
    if (index < 0) fail(unit ? `unknown unit "${unit}"; ${HINT}` : `"${part}" has no unit; ${HINT}`);
    if (index <= last) fail(`unit "${unit}" out of order or repeated; ${HINT}`);
    last = index;
    seconds += Number(part.slice(0, part.length - unit.length)) * UNITS[index][1];
  }
  if (!Number.isSafeInteger(seconds)) fail('too large');
  if (seconds === 0) fail('must be longer than 0s');
  return seconds;
}

/** Formats seconds the way parseDuration reads them: 5400 → `1h30m`, 0 → `0s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError(`formatDuration: ${seconds} is not a whole, non-negative number of seconds`);
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'w' && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
