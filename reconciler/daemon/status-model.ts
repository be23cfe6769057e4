/**
 * The daemon's status as plain data: what `/status` serves, what `walbctl status` prints and what
 * `status.json` in the data directory holds. Times are UTC ISO 8601; ages are computed when read.
 */
import type { LinkStatus } from '../fleet/links.js';
import type { Condition } from './conditions.js';
import type { ObservedShipping, ObservedSpool, ObservedVolume } from '../../common/observed.js';
import { thresholdsFor, type Thresholds } from '../check/thresholds.js';
import { healthValues, type HealthValues } from '../check/values.js';
import type { DesiredVolume } from '../model/desired.js';
import type { PairStatus } from './replication-status.js';

export interface VolumeStatus {
  address: string;
  conditions: Condition[];
  /** Revision the volume last converged to without failures (`main@sha1:<sha>`). */
  lastAppliedRevision: string | null;
  /** Revision of the latest pass, whatever its result. */
  lastAttemptedRevision: string | null;
  /** When the last pass that left the volume converged ended. */
  lastSucceededAt: string | null;
  /** The newest restorable snapshot. */
  lastSnapshot: { gid: number; at: string } | null;
  restorable: number;
  /** Diffs in the archive not folded into the base yet. */
  diffBacklog: { count: number; bytes: number };
  /** The next time-driven action the planner expects. */
  nextScheduled: { kind: string; at: string } | null;
  /** Consecutive failed passes, and when the next attempt may run. */
  failures: number;
  retryAt: string | null;
  /** Actions of the latest pass that did not finish (failed, refused, blocked, skipped). */
  unfinished: { id: string; status: string; message: string }[];
  /** Restored images of the volume that an operator made (`walbctl archive restore`), not the
   *  reconciler: not managed, never deleted by it (absent in a status.json from before). */
  unmanagedRestores?: { gid: number; path: string }[];
  /** Replication pairs sending from this host (absent in a status.json from before). */
  replication?: PairStatus[];
  /** What `walbctl check` compares, and the thresholds it compares them with (absent: not observed). */
  health?: VolumeHealth;
  /** A wdev volume shipped to proxies: lsids written / shipped / converted / archived and the
   *  recovery point (refreshed every second by the shipping loop, and at each pass). */
  shipping?: ObservedShipping;
  /** On a proxy host: the volume's spool and queues per archive (refreshed at each pass). */
  spool?: ObservedSpool;
}

export interface VolumeHealth {
  values: HealthValues;
  thresholds: Thresholds;
}

export function volumeHealth(host: string, volume: DesiredVolume, observed: ObservedVolume | undefined, now: number): VolumeHealth {
  return { values: healthValues(host, volume, observed, now), thresholds: thresholdsFor(volume, { now }) };
}

export interface DaemonStatus {
  formatVersion: 1;
  host: string;
  pid: number;
  startedAt: string;
  /** Where the desired state comes from. */
  source: {
    repo: string;
    branch: string | null;
    workdir: string;
    /** The commit checked out now. */
    revision: string | null;
    subject: string | null;
    fetchedAt: string | null;
    /** The last fetch's error, or null when it worked. */
    error: string | null;
  };
  desired: {
    /** The newest revision that validated: the one the daemon converges to. */
    lastGoodRevision: string | null;
    /** The newest revision seen. */
    lastAttemptedRevision: string | null;
    valid: boolean;
    /** The diagnostics of the newest revision when it does not validate, one line each. */
    diagnostics: string[];
  };
  lastPassAt: string | null;
  nextPassAt: string | null;
  /** The action running now, or null. */
  running: string | null;
  volumes: Record<string, VolumeStatus>;
  /** The host's wire links (peers it sends to or receives from), when the wire runs. */
  links?: LinkStatus[];
}

export function emptyVolumeStatus(address: string): VolumeStatus {
  return {
    address,
    conditions: [],
    lastAppliedRevision: null,
    lastAttemptedRevision: null,
    lastSucceededAt: null,
    lastSnapshot: null,
    restorable: 0,
    diffBacklog: { count: 0, bytes: 0 },
    nextScheduled: null,
    failures: 0,
    retryAt: null,
    unfinished: [],
    replication: [],
  };
}
