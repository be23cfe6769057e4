/**
 * Where the members of a JSON object are in the raw bytes, without parsing their values: the
 * observed-state check (observed-check.ts) uses it to parse, validate and hash one volume at a time on
 * a worker thread. It reads only the structure it needs (keys, and the extent of each value) and
 * returns null for anything it does not expect, so a caller can always fall back to JSON.parse — a
 * syntax error is for JSON.parse to name. Works on UTF-8 bytes: no byte of a multi-byte character is
 * a quote, a backslash or a bracket.
 */

export interface Member {
  key: string;
  /** The value's first byte and one past its last. */
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

/** The members of the object whose `{` is at or after `from` (after white space), or null. */
export function objectMembers(bytes: Uint8Array, from: number): Member[] | null {
  let i = skipSpace(bytes, from);
  if (bytes[i] !== OPEN_BRACE) return null;
  i = skipSpace(bytes, i + 1);
  const members: Member[] = [];
  if (bytes[i] === CLOSE_BRACE) return members;
  for (;;) {
    if (bytes[i] !== QUOTE) return null;
    const keyEnd = stringEnd(bytes, i);
    if (keyEnd < 0) return null;
    const key = decodeKey(bytes, i, keyEnd);
    if (key === null) return null;
    i = skipSpace(bytes, keyEnd);
    if (bytes[i] !== COLON) return null;
    const start = skipSpace(bytes, i + 1);
    const end = valueEnd(bytes, start);
    if (end < 0) return null;
    members.push({ key, start, end });
    i = skipSpace(bytes, end);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1);
      continue;
    }
    return bytes[i] === CLOSE_BRACE ? members : null;
  }
}

function skipSpace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  return i;
}

/** One past the closing quote of the string whose opening quote is at `i`, or -1. */
function stringEnd(bytes: Uint8Array, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = bytes.indexOf(QUOTE, j);
    if (q < 0) return -1;
    let slashes = 0;
    while (bytes[q - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

function decodeKey(bytes: Uint8Array, start: number, end: number): string | null {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
  if (!raw.includes('\\')) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return null;
  }
}

/** One past the last byte of the value starting at `i`, or -1. */
function valueEnd(bytes: Uint8Array, i: number): number {
  const c = bytes[i];
  if (c === QUOTE) return stringEnd(bytes, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < bytes.length; j++) {
      const b = bytes[j]!;
      if (b === QUOTE) {
        const e = stringEnd(bytes, j);
        if (e < 0) return -1;
        j = e - 1;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        depth++;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < bytes.length) {
    const b = bytes[j]!;
    if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || isSpace(b)) break;
    j++;
  }
  return j > i ? j : -1;
}
