/**
 * Drift: live state that differs from what walbctl last applied on the host, reported before the
 * plan (Terraform's "Objects have changed outside of Terraform"). A volume cleared by hand, a storage
 * that went back (reset), an archive with fewer diffs than walbctl left or with a hole in its chain.
 */
import type { ObservedState } from '../model/observed.js';
import type { DriftItem } from '../model/plan.js';
import { chainGaps, sortDiffs } from '../policy/diff-chain.js';

export function findDrift(observed: ObservedState, addressOf: (name: string) => string): DriftItem[] {
  const items: DriftItem[] = [];
  const last = observed.lastApplied;
  const at = last?.revision ? ` at ${last.revision}` : '';
  const marks = last?.volumes ?? {};
  for (const name of sortedKeys(marks)) {
    const mark = marks[name]!;
    const live = observed.volumes[name];
    const address = addressOf(name);
    const storageGone = !live?.storage || live.storage.state === 'Clear';
    const archiveGone = !live?.archive || live.archive.state === 'Clear';
    if (mark.initialized && storageGone && archiveGone) {
      items.push({ address, message: `the volume was cleared outside walbctl: it was initialised when walbctl last applied${at}, now nothing of it is here` });
      continue;
    }
    const storage = live?.storage;
    if (storage && storage.latestGid !== null && mark.latestGid !== null && storage.latestGid < mark.latestGid) {
      items.push({ address, message: `the storage went back from gid ${mark.latestGid} to gid ${storage.latestGid}: it was reset outside walbctl` });
    }
    const archive = live?.archive;
    if (archive && archive.state !== 'Clear' && archive.diffs.length < mark.diffCount) {
      items.push({ address, message: `the archive holds ${archive.diffs.length} diffs, ${mark.diffCount} when walbctl last applied${at}: diffs went missing` });
    }
  }
  for (const name of sortedKeys(observed.volumes)) {
    const live = observed.volumes[name]!;
    if (!live.archive || live.archive.state === 'Clear') continue;
    for (const gap of chainGaps(live.archive.base, sortDiffs(live.archive.diffs))) {
      items.push({ address: addressOf(name), message: `the archive is missing diffs between gid ${gap.after} and gid ${gap.before}` });
    }
  }
  return items;
}

/** The object's keys in code-unit order; a fixture's are usually in it already (no sort then). */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i]! < keys[i - 1]!) return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  return keys;
}
