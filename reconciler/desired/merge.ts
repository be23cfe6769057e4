/**
 * Merging one value onto another, as `extends` does: maps deep-merge key by key; lists and
 * scalars replace; a key set to `!reset` is deleted; a map tagged `!override` replaces the whole
 * map; a plain `null` is a value like any other (it replaces, it does not delete).
 */
import type { PMap, PNode } from './node.js';

/** `over` merged onto `base`; neither is modified. */
export function mergeNodes(base: PNode | undefined, over: PNode): PNode {
  if (over.kind === 'map') return base?.kind === 'map' && !over.override ? mergeMaps(base, over) : { ...over, override: false };
  return over;
}

function mergeMaps(base: PMap, over: PMap): PMap {
  const entries = new Map(base.entries);
  const resets = new Map(base.resets);
  for (const [key, reset] of over.resets) {
    entries.delete(key);
    resets.set(key, reset);
  }
  for (const [key, value] of over.entries) {
    entries.set(key, mergeNodes(entries.get(key), value));
    resets.delete(key);
  }
  return { kind: 'map', entries, resets, override: false, at: over.at, via: over.via };
}
