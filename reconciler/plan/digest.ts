/**
 * The observed state's digest, carried by a plan so a saved plan is refused when the live state moved.
 * It covers what the planner decides from: `observedAt` is left out (observing again changes nothing
 * by itself) and so is the storage's log position (`log`), which moves with every write the volume
 * takes. Volumes are hashed in name order; inside a volume, keys in the order the driver produced
 * them (deterministic, and kept by a JSON round trip), so hashing stays one native JSON.stringify per
 * volume — fast enough for 10,000 volumes.
 */
import { createHash } from 'node:crypto';

import type { ObservedState, ObservedVolume } from '../../common/observed.js';

export function observedDigest(observed: ObservedState): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ formatVersion: observed.formatVersion, host: observed.host, lastApplied: observed.lastApplied }));
  for (const name of Object.keys(observed.volumes).sort()) {
    hash.update('\n' + JSON.stringify(name) + ':' + stringifyWithoutLog(observed.volumes[name]!));
  }
  return 'sha256:' + hash.digest('hex');
}

/** JSON of the volume without `storage.log`: the same text as a copy without the key (JSON.stringify
 *  leaves out an undefined value and keeps the other keys' order), without copying the volume. */
function stringifyWithoutLog(volume: ObservedVolume): string {
  const storage = volume.storage;
  if (!storage?.log) return JSON.stringify(volume);
  const log = storage.log;
  storage.log = undefined;
  try {
    return JSON.stringify(volume);
  } finally {
    storage.log = log;
  }
}
