/**
 * Worker-thread entry of ObservedFileCheck (observed-check.ts): reads an observed-state file, finds
 * its volumes in the raw bytes (json-members.ts), and parses, checks and — when asked — hashes one
 * volume at a time, so this thread never holds the whole state. Posts a Verdict: the first bad
 * volume's error exactly as parseObservedState words it, or the digest, or `declined` when the file
 * is laid out in a way this pass does not handle (the main thread then checks it itself).
 */
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

import type { ObservedState, ObservedVolume } from '../../model/observed.js';
import { Checker } from '../check.js';
import { ObservedHasher } from '../digest.js';
import { checkObservedVolume } from '../observed-json.js';
import { objectMembers, type Member } from './json-members.js';
import { resolveVolumePaths } from './observed.js';
import type { Verdict } from './observed-check.js';

const { file, root, digest } = workerData as { file: string; root: string; digest: boolean };

/** Keys Object.entries would not list in file order (array indexes come first), or that JSON.parse
 *  treats specially: a file with one of them is checked on the main thread. */
const unusualKey = (key: string): boolean => key === '__proto__' || (/^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1);

function run(): Verdict {
  const bytes = readFileSync(file);
  const encoding = isAscii(bytes) ? 'latin1' : 'utf8';
  const top = objectMembers(bytes, 0);
  const at = top?.filter((m) => m.key === 'volumes') ?? [];
  if (at.length !== 1) return { declined: 'no single "volumes" object found' };
  const where = at[0]!;
  const volumes = objectMembers(bytes, where.start);
  if (!volumes) return { declined: '"volumes" is not an object of members' };
  const seen = new Set<string>();
  let sorted = true;
  for (let i = 0; i < volumes.length; i++) {
    const key = volumes[i]!.key;
    if (seen.has(key) || unusualKey(key)) return { declined: `volume key ${JSON.stringify(key)} is repeated or unusual` };
    seen.add(key);
    if (i > 0 && key < volumes[i - 1]!.key) sorted = false;
  }
  const parse = (m: Member): ObservedVolume => JSON.parse(bytes.toString(encoding, m.start, m.end)) as ObservedVolume;
  let hasher: ObservedHasher | null = null;
  if (digest) {
    const head = JSON.parse(bytes.toString(encoding, 0, where.start) + '{}' + bytes.toString(encoding, where.end)) as ObservedState;
    hasher = new ObservedHasher(head);
  }
  const c = new Checker(file);
  for (const m of volumes) {
    const volume = parse(m);
    checkObservedVolume(c, m.key, volume);
    if (hasher && sorted) {
      resolveVolumePaths(volume, root);
      hasher.volume(m.key, volume);
    }
  }
  if (hasher && !sorted) {
    for (const m of [...volumes].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      const volume = parse(m);
      resolveVolumePaths(volume, root);
      hasher.volume(m.key, volume);
    }
  }
  return hasher ? { ok: true, digest: hasher.digest() } : { ok: true };
}

let verdict: Verdict;
try {
  verdict = run();
} catch (error) {
  // A bad volume is an InputError worded as the main thread would word it; anything else (a syntax
  // error JSON.parse will name on the main thread too) leaves the checks to the main thread.
  verdict = (error as Error).name === 'InputError' ? { error: (error as Error).message } : { declined: (error as Error).message };
}
parentPort!.postMessage(verdict);
