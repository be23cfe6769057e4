/**
 * The scheduled snapshot of one running storage: due when a fire time of the volume's schedule passed
 * since the last explicit snapshot; one catch-up snapshot however many runs were missed.
 */
import type { DesiredVolume } from '../model/desired.js';
import type { ObservedArchive, ObservedPeerArchive, ObservedStorage } from '../../common/observed.js';
import { describeSchedule, fireFor, scheduleDue } from '../policy/schedule.js';
import type { Step } from '../policy/step.js';
import { toIso, toMs } from '../policy/time.js';

export interface SnapshotPlan {
  step: Step | null;
  nextAt: number;
}

/** When the newest explicit snapshot was taken: the storage's word, else the archive's newest explicit
 *  one, else (the primary archive on another host) the newest restorable snapshot its status call named. */
export function lastSnapshotTime(storage: ObservedStorage, archive: ObservedArchive | undefined, peer?: ObservedPeerArchive): number | null {
  if (storage.lastSnapshotAt !== undefined) return storage.lastSnapshotAt === null ? null : toMs(storage.lastSnapshotAt);
  if (!archive && peer?.reachable && peer.newestAt) return toMs(peer.newestAt);
  let newest: number | null = null;
  for (const r of archive?.restorable ?? []) {
    if (r.explicit) newest = Math.max(newest ?? 0, toMs(r.timestamp));
  }
  return newest;
}

export function snapshotPlan(volume: DesiredVolume, at: { last: number | null; now: number }): SnapshotPlan {
  const { last } = at;
  const schedule = volume.snapshots.schedule;
  const decision = scheduleDue(fireFor(schedule), at);
  if (!decision.due) return { step: null, nextAt: decision.nextAt };
  const what = describeSchedule(schedule);
  const reason = last === null
    ? `no snapshot was taken yet (${what})`
    : decision.missed > 1
      ? `${what} missed ${decision.missed >= 1000 ? 'over 1000' : decision.missed} runs since the last snapshot at ${toIso(last)}: one catch-up snapshot`
      : `${what} is due (last snapshot at ${toIso(last)})`;
  return { step: { kind: 'snapshot', params: {}, reason }, nextAt: decision.nextAt };
}
