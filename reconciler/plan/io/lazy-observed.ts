/**
 * An observed-state fixture read for the plan command's text plan: the top-level fields (and
 * lastApplied) parsed and checked at once, each volume parsed, checked and given absolute paths only
 * when the planner asks for it (json-members.ts finds the volumes in the text). JSON.parse of a
 * 30 MB state makes every volume survive into the old generation at once — about 0.13 s of copying
 * for 10,000 volumes; parsed one at a time, a volume dies young once it is planned.
 *
 * The checks are the quick pass of parseObservedState (observed-quick.ts). Anything out of the
 * ordinary — a volume the quick pass does not vouch for, a file laid out in a way the member scan
 * does not follow, repeated or numeric volume names — is LazyObservedDeclined: the caller then reads
 * the file the ordinary way, which names the first bad field exactly as it always does.
 */
import type { ObservedState, ObservedVolume } from '../../../common/observed.js';
import { parseObservedState } from '../observed-json.js';
import { volumeLooksValid } from '../observed-quick.js';
import type { VolumeSource } from '../volume-source.js';
import { objectEndByBraces, objectMembers, valueEnd } from './json-members.js';
import { resolveVolumePaths } from './observed.js';

/** The lazy reading gave up: read the file with parseObservedState instead. */
export class LazyObservedDeclined extends Error {
  constructor(why: string) {
    super(`the observed state is read the ordinary way: ${why}`);
    this.name = 'LazyObservedDeclined';
  }
}

/** Names Object.keys would not list in text order (array indexes come first) or JSON.parse treats specially. */
const unusualName = (name: string): boolean => name === '__proto__' || (/^(0|[1-9]\d{0,9})$/.test(name) && Number(name) < 2 ** 32 - 1);

/**
 * `text` read lazily: the state with an empty `volumes` and the source of its volumes; `root` is the
 * tree's root (relative paths are taken from it, as resolveFixturePaths does). Throws
 * LazyObservedDeclined when it cannot (see above).
 */
export function lazyObservedState(text: string, file: string, root: string): { observed: ObservedState; source: VolumeSource } {
  // One pass: the top level read exactly, the volumes' extents found by their braces (each is checked
  // by the JSON.parse that reads it, see objectEndByBraces), the volumes object itself read once.
  let volumes: ReturnType<typeof objectMembers> = null;
  let seen = 0;
  const top = objectMembers(text, 0, (key, start) => {
    if (key !== 'volumes') return valueEnd(text, start);
    seen++;
    volumes = objectMembers(text, start, (_name, s) => objectEndByBraces(text, s));
    return volumes ? volumes.end : -1;
  });
  const where = top?.members.find((m) => m.key === 'volumes');
  if (!top || !where || !volumes || seen !== 1) throw new LazyObservedDeclined('no single "volumes" object of volumes found');
  const found: NonNullable<ReturnType<typeof objectMembers>> = volumes;
  const spans = new Map<string, { start: number; end: number }>();
  for (const m of found.members) {
    if (spans.has(m.key) || unusualName(m.key)) throw new LazyObservedDeclined(`volume name ${JSON.stringify(m.key)} is repeated or numeric`);
    spans.set(m.key, { start: m.start, end: m.end });
  }
  let observed: ObservedState;
  try {
    observed = parseObservedState(text.slice(0, where.start) + '{}' + text.slice(where.end), file);
  } catch {
    throw new LazyObservedDeclined('its top level is not valid');
  }
  const get = (name: string): ObservedVolume | undefined => {
    const span = spans.get(name);
    if (!span) return undefined;
    let volume: unknown;
    try {
      volume = JSON.parse(text.slice(span.start, span.end));
    } catch {
      throw new LazyObservedDeclined(`volume ${name} is not valid JSON`);
    }
    if (!volumeLooksValid(name, volume)) throw new LazyObservedDeclined(`volume ${name} needs the precise checks`);
    resolveVolumePaths(volume as ObservedVolume, root);
    return volume as ObservedVolume;
  };
  return { observed, source: { names: [...spans.keys()], get } };
}
