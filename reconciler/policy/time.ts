/**
 * Time in the planner: milliseconds since the epoch, UTC. Observed state carries ISO 8601 strings;
 * policies take numbers so they stay plain arithmetic.
 */
const parsed = new Map<string, number>();

/** Milliseconds of an ISO 8601 time. Memoised: a fleet's snapshots share their schedule's times. */
export function toMs(iso: string): number {
  const ms = tryToMs(iso);
  if (ms === null) throw new RangeError(`not an ISO 8601 time: "${iso}"`);
  return ms;
}

/** Like toMs, null instead of an error. */
export function tryToMs(iso: string): number | null {
  const known = parsed.get(iso);
  if (known !== undefined) return known;
  const fast = parseCanonical(iso);
  if (fast !== null) {
    if (parsed.size > 4096) parsed.clear();
    parsed.set(iso, fast);
    return fast;
  }
  const date = /^(\d{4})-(\d\d)-(\d\d)/.exec(iso);
  if (date && Number(date[3]) > daysIn(Number(date[1]), Number(date[2]))) return null; // Date.parse rolls 02-29 over
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

const recent = new Map<number, string>();

/** UTC ISO 8601 without a zero fraction. Memoised: a fleet's volumes share fire times. */
export function toIso(ms: number): string {
  let s = recent.get(ms);
  if (s === undefined) {
    s = new Date(ms).toISOString().replace('.000Z', 'Z');
    if (recent.size > 4096) recent.clear();
    recent.set(ms, s);
  }
  return s;
}

/** `3 h 20 min`, for reasons people read. */
export function formatAge(ms: number): string {
  let text = ages.get(ms);
  if (text === undefined) {
    text = spellAge(ms);
    if (ages.size > 4096) ages.clear();
    ages.set(ms, text);
  }
  return text;
}

/** Memo of formatAge: a fleet's volumes share their apply ages and merge intervals. */
const ages = new Map<number, string>();
const AGE_UNITS: readonly (readonly [number, string])[] = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];

function spellAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units = AGE_UNITS;
  const parts: string[] = [];
  let rest = s;
  for (const [size, name] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    }
  }
  return parts.length ? parts.join(' ') : '0 s';
}

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

/** `YYYY-MM-DDTHH:MM:SSZ` (the form drivers write) without Date.parse; null for any other form. */
export function parseCanonical(s: string): number | null {
  if (s.length !== 20 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== 'Z') return null;
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59)) return null;
  if (day > daysIn(year, month)) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month < 1 || month > 12) return 0;
  if (month !== 2) return DAYS[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}
