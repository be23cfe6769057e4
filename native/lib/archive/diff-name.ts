/**
 * WalB's archive diff file names, which are the archive's diff list:
 * `YYYYMMDDhhmmss-MC-B-E.wdiff` (clean snapshots) and `YYYYMMDDhhmmss-MC-Bb-Be-Eb-Ee.wdiff` (dirty),
 * the timestamp (UTC) being that of the snapshot at the diff's end, `M`/`C` or `-`, gids in decimal.
 */
import type { DiffSpan, GidSnap } from './gid.js';
import { isClean } from './gid.js';

export interface DiffName extends DiffSpan {
  /** UTC, ISO 8601 without milliseconds: `2026-11-21T10:00:00Z`. */
  timestamp: string;
}

const NAME = /^(\d{14})-([M-])([C-])-(\d+)-(\d+)(?:-(\d+)-(\d+))?\.wdiff$/;

/** True for a name that looks like a diff file (it may still fail to parse when gids are out of range). */
export function looksLikeDiffName(file: string): boolean {
  return NAME.test(file);
}

/** Parses a diff file name, or returns null when it is not one (a temp file, a foreign file). */
export function parseDiffName(file: string): DiffName | null {
  const m = NAME.exec(file);
  if (!m) return null;
  const ts = m[1]!;
  const timestamp = `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`;
  if (Number.isNaN(Date.parse(timestamp))) return null;
  const nums = [m[4], m[5], m[6], m[7]].filter((x): x is string => x !== undefined).map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n))) return null;
  let b: GidSnap;
  let e: GidSnap;
  if (nums.length === 2) {
    b = { b: nums[0]!, e: nums[0]! };
    e = { b: nums[1]!, e: nums[1]! };
  } else {
    b = { b: nums[0]!, e: nums[1]! };
    e = { b: nums[2]!, e: nums[3]! };
  }
  if (b.e < b.b || e.e < e.b || e.b <= b.b) return null;
  return { b, e, mergeable: m[2] === 'M', compared: m[3] === 'C', timestamp };
}

/** `2026-11-21T10:00:00.123Z` → `20261121100000`. */
export function compactTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a timestamp: ${iso}`);
  return d.toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** An ISO timestamp rounded down to the second, as file names keep it. */
export function secondTimestamp(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19) + 'Z';
}

export function formatDiffName(d: DiffName): string {
  const flags = `${d.mergeable ? 'M' : '-'}${d.compared ? 'C' : '-'}`;
  const gids = isClean(d.b) && isClean(d.e) ? `${d.b.b}-${d.e.b}` : `${d.b.b}-${d.b.e}-${d.e.b}-${d.e.e}`;
  return `${compactTimestamp(d.timestamp)}-${flags}-${gids}.wdiff`;
}
