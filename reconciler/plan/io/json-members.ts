/**
 * Where the members of a JSON object are in its text, without parsing their values: the plan command
 * uses it to parse an observed-state file one volume at a time (lazy-observed.ts). It reads only the
 * structure it needs (keys, and the extent of each value) and returns null for anything it does not
 * expect, so the caller can always fall back to JSON.parse — a syntax error is for JSON.parse to name.
 */

export interface Member {
  key: string;
  /** The value's first character and one past its last. */
  start: number;
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The members of the object whose `{` is at `from` or after white space, and where it ends; or null.
 * `endOf(key, start)` finds where a member's value ends (-1: give up); the default reads it exactly.
 */
export function objectMembers(text: string, from: number, endOf: (key: string, start: number) => number = (_key, start) => valueEnd(text, start)): { members: Member[]; end: number } | null {
  let i = skipSpace(text, from);
  if (text.charCodeAt(i) !== OPEN_BRACE) return null;
  i = skipSpace(text, i + 1);
  const members: Member[] = [];
  if (text.charCodeAt(i) === CLOSE_BRACE) return { members, end: i + 1 };
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return null;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return null;
    const raw = text.slice(i, keyEnd);
    let key: string;
    try {
      key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    } catch {
      return null;
    }
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return null;
    const start = skipSpace(text, i + 1);
    const end = endOf(key, start);
    if (end < 0) return null;
    members.push({ key, start, end });
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i = skipSpace(text, i + 1);
      continue;
    }
    return c === CLOSE_BRACE ? { members, end: i + 1 } : null;
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** One past the closing quote of the string whose opening quote is at `i`, or -1. */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
    if ((slashes & 1) === 0) return q + 1;
    j = q + 1;
  }
}

/**
 * One past the `}` that closes the object at `i`, counting braces and ignoring strings: fast (only the
 * braces are visited), and wrong when a string in the object holds a brace. A caller must check the
 * result by parsing it: JSON.parse accepts text[i, end) only when it is exactly the object at `i` (an
 * end too early cuts a string or an object short, an end too late leaves text after the object).
 * -1 when `i` is not a `{` or the braces do not balance.
 */
export function objectEndByBraces(text: string, i: number): number {
  if (text.charCodeAt(i) !== OPEN_BRACE) return -1;
  let depth = 1;
  let pos = i + 1;
  let open = text.indexOf('{', pos);
  let close = text.indexOf('}', pos);
  for (;;) {
    if (close < 0) return -1;
    if (open >= 0 && open < close) {
      depth++;
      pos = open + 1;
      open = text.indexOf('{', pos);
    } else {
      if (--depth === 0) return close + 1;
      pos = close + 1;
      close = text.indexOf('}', pos);
    }
  }
}

/** One past the last character of the value starting at `i`, or -1. */
export function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const b = text.charCodeAt(j);
      if (b === QUOTE) {
        const e = stringEnd(text, j);
        if (e < 0) return -1;
        j = e - 1;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        depth++;
      } else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --depth === 0) {
        return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length) {
    const b = text.charCodeAt(j);
    if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || isSpace(b)) break;
    j++;
  }
  return j > i ? j : -1;
}
