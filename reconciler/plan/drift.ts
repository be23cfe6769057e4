/**
 * Drift: live state that differs from what walbctl last applied on the host, reported before the
 * plan (Terraform's "Objects have changed outside of Terraform"). A volume cleared by hand, a storage
 * that went back (reset), an archive with fewer diffs than walbctl left or with a hole in its chain.
 * Listed as: first what the last-applied marks reveal, by volume name; then the holes in archives'
 * chains (this host's, then those its peers answered), by volume name. DriftCollector takes the volumes one at a time, in any order (the planner
 * visits each volume once), and gives that list.
 */
import type { ObservedState, ObservedVolume } from '../../common/observed.js';
import type { DriftItem } from '../model/plan.js';
import { chainGaps, chainHealth, sortDiffs } from '../policy/diff-chain.js';
import { describeHole, localLostTail, remoteHole } from '../policy/chain-hole.js';

type LastAppliedMark = NonNullable<ObservedState['lastApplied']>['volumes'][string];

export function findDrift(observed: ObservedState, addressOf: (name: string) => string): DriftItem[] {
  const drift = new DriftCollector(observed);
  const names = new Set([...Object.keys(observed.lastApplied?.volumes ?? {}), ...Object.keys(observed.volumes)]);
  for (const name of names) drift.volume(name, addressOf(name), observed.volumes[name]);
  return drift.items();
}

export class DriftCollector {
  private readonly marks: Record<string, LastAppliedMark>;
  private readonly at: string;
  private readonly fromMarks: [string, DriftItem[]][] = [];
  private readonly gaps: [string, DriftItem[]][] = [];

  constructor(observed: Pick<ObservedState, 'lastApplied'>) {
    const last = observed.lastApplied;
    this.at = last?.revision ? ` at ${last.revision}` : '';
    this.marks = last?.volumes ?? {};
  }

  /** The names with a last-applied mark: the caller visits each of them too, live or not. */
  markedNames(): string[] {
    return Object.keys(this.marks);
  }

  /** One volume (`live` undefined when nothing of it is on the host); each name once. */
  volume(name: string, address: string, live: ObservedVolume | undefined): void {
    const mark = Object.hasOwn(this.marks, name) ? this.marks[name] : undefined;
    if (mark) {
      const items = markDrift(mark, live, address, this.at);
      if (items.length > 0) this.fromMarks.push([name, items]);
    }
    if (live?.archive && live.archive.state !== 'Clear') {
      const items: DriftItem[] = [];
      const gaps = chainGaps(live.archive.base, sortDiffs(live.archive.diffs));
      // A set-aside newest diff leaves no gap between diffs: the chain health names it.
      const health = gaps.length === 0 ? chainHealth(live.archive.base, live.archive.diffs, live.archive.setAside) : null;
      const tail = health?.hole ?? null;
      for (const gap of tail ? [tail] : gaps) {
        items.push({ address, message: `the archive is ${describeHole(gap, live.archive.setAside)}` });
      }
      // The storage here sends to this archive (no outbox for a remote one): diffs lost from its end.
      const lost = health && !tail && live.storage?.outboxBaseGid === undefined ? localLostTail(health.contiguousTo, live.storage) : null;
      if (lost) items.push({ address, message: `the archive's chain ends at gid ${lost.after}, short of gid ${lost.before} this host's storage has taken (its newest diffs are gone)` });
      if (items.length > 0) this.gaps.push([name, items]);
    }
    // A primary archive on another host: its status answer states the hole (the storage host repairs it).
    const remote: DriftItem[] = [];
    for (const [host, p] of Object.entries(live?.peers ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const hole = p.reachable ? remoteHole(p.chain, live?.storage?.outboxBaseGid) : null;
      if (!hole || !p.reachable) continue;
      remote.push({ address, message: hole.lost ? `${host} answered that its chain ends at gid ${hole.after}, short of gid ${hole.before} it had acknowledged holding` : `${host} answered that its archive is ${describeHole(hole, p.chain?.setAside)}` });
    }
    if (remote.length > 0) this.gaps.push([name, remote]);
  }

  items(): DriftItem[] {
    const out: DriftItem[] = [];
    for (const list of [this.fromMarks, this.gaps]) {
      list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [, items] of list) for (const item of items) out.push(item);
    }
    return out;
  }
}

function markDrift(mark: LastAppliedMark, live: ObservedVolume | undefined, address: string, at: string): DriftItem[] {
  const items: DriftItem[] = [];
  const storageGone = !live?.storage || live.storage.state === 'Clear';
  const archiveGone = !live?.archive || live.archive.state === 'Clear';
  if (mark.initialized && storageGone && archiveGone) {
    items.push({ address, message: `the volume was cleared outside walbctl: it was initialised when walbctl last applied${at}, now nothing of it is here` });
    return items;
  }
  const storage = live?.storage;
  if (storage && storage.latestGid !== null && mark.latestGid !== null && storage.latestGid < mark.latestGid) {
    items.push({ address, message: `the storage went back from gid ${mark.latestGid} to gid ${storage.latestGid}: it was reset outside walbctl` });
  }
  const archive = live?.archive;
  if (archive && archive.state !== 'Clear' && archive.diffs.length < mark.diffCount) {
    items.push({ address, message: `the archive holds ${archive.diffs.length} diffs, ${mark.diffCount} when walbctl last applied${at}: diffs went missing` });
  }
  return items;
}
