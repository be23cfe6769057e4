/**
 * ObservedState: what a driver reports of one host's live volumes and archives, as plain data.
 * The same JSON is the planner's fixture format (`walbctl plan --observed FILE`).
 * States and names are WalB's (`../../shared/spec/walb-model.md`).
 */

/** A snapshot `|b,e|`; clean when b === e. Gids are decimal numbers (safe up to 2^53). */
export interface GidSnap {
  b: number;
  e: number;
}

export type StorageState = 'Clear' | 'SyncReady' | 'Stopped' | 'Target' | 'Standby';
export type ArchiveState = 'Clear' | 'SyncReady' | 'Archived' | 'Stopped';

/** One diff in an archive, as its file name says: `|B|-->|E| MC timestamp dataSize`. */
export interface ObservedDiff {
  b: GidSnap;
  e: GidSnap;
  mergeable: boolean;
  compared: boolean;
  /** UTC, ISO 8601: the time of the snapshot at the diff's end. */
  timestamp: string;
  /** Bytes of the wdiff file. */
  dataSize: number;
  /** The file name, `YYYYMMDDhhmmss-MC-B-E.wdiff`. */
  file: string;
}

/** A diff the archive's check found corrupt (its checksums do not match) and moved out of the chain. */
export interface SetAsideDiff {
  /** Its file name in the chain (`YYYYMMDDhhmmss-MC-B-E.wdiff`); it now lies in the volume's `set-aside/`. */
  file: string;
  /** The gids the diff ran from and to (its b.b and e.b). */
  from: number;
  to: number;
  /** What the check found, as one line (the file, the offset, the checksum). */
  reason: string;
  /** When it was set aside (UTC, ISO 8601). */
  at: string;
}

/**
 * The health of an archive's diff chain, as the archive states it (its status call answers it for
 * each volume): how far the chain runs from the base without a hole, the first hole, and the diffs
 * its check set aside as corrupt (each is then a hole too).
 */
export interface ObservedChainHealth {
  /** The newest gid reached from the base through the diffs before the first hole. */
  contiguousTo: number;
  /** The first hole: the chain reaches gid `after`, the next diff starts at gid `before`; null: none. */
  hole: { after: number; before: number } | null;
  /** Diffs set aside as corrupt, oldest first (empty when none). */
  setAside: SetAsideDiff[];
}

export interface ObservedRestored {
  gid: number;
  path: string;
  /** When it was restored (UTC, ISO 8601); null when the back end does not record it (WalB). */
  createdAt: string | null;
  /** The outcome of the last verification, or null when never verified. */
  verified: boolean | null;
  /** True when walbctl's reconciler made it (its inventory lists it for this volume): only such an
   *  image is ever deleted or replaced. Absent or false: an operator made it, and it is left alone. */
  managed?: boolean;
}

export interface ObservedStorage {
  state: StorageState;
  capture: 'wdev' | 'scan';
  /** Device uuid (hex, 32 digits), made at init. */
  uuid: string;
  devicePath: string;
  sizeBytes: number;
  /** The log overflowed (wdev) or the hash index was lost or damaged (scan): only a hash backup recovers. */
  overflow: boolean;
  /** While overflowed: why. wdev: as `walbctl wdev status` names it (ring-full, host-restarted, ...);
   *  scan: hash-index-lost or hash-index-damaged. */
  overflowReason?: string | null;
  /** Newest gid taken on this storage, or null before the first backup. */
  latestGid: number | null;
  /** wdev (and WalB's walb device) only: lsids and log usage. WalB's `get log-usage` gives usage and
   *  capacity only: the lsids are absent there. */
  log?: { oldestLsid?: number; permanentLsid?: number; writtenLsid?: number; capacityPb: number; usagePb: number };
  /** WalB's `get ts-delta` on a walb-storage: per archive, the newest snapshot the archive is known to
   *  hold and how many seconds it is older than the storage's newest (null: not known yet). */
  archiveLag?: Record<string, { gid: number | null; timestamp: string | null; seconds: number | null }>;
  /** When the newest explicit snapshot was taken here (UTC, ISO 8601); null when none yet. The planner's
   *  schedules count from it; when absent they fall back to the newest explicit restorable snapshot. */
  lastSnapshotAt?: string | null;
  /** scan volumes whose primary archive is on another host: the newest gid that archive acknowledged
   *  holding (the outbox has folded everything up to it into its base); absent: no outbox here. An
   *  archive whose chain now ends before it lost diffs it had acknowledged. */
  outboxBaseGid?: number;
  /** wdev whose log goes to proxies on other hosts: how far it got (absent otherwise). */
  shipping?: ObservedShipping;
}

/**
 * A wdev volume's log on its way: lsids written (the end of every acknowledged write's log on the storage), shipped (a proxy
 * acknowledged holding them durably), converted (the newest a proxy turned into a wdiff) and
 * archived (the newest every archive of the volume acknowledged to the proxy), as the storage last
 * learnt them from its proxies; and the recovery point.
 */
export interface ObservedShipping {
  writtenLsid: number;
  shippedLsid: number;
  /** null: no proxy answered yet. */
  convertedLsid: number | null;
  archivedLsid: number | null;
  /** Per archive host: the newest lsid and gid it acknowledged. */
  archives: Record<string, { lsid: number; gid: number }>;
  /**
   * Seconds of writes the archives may lack (0.1 s steps): 0 when every archive holds everything
   * written, else the age of the newest moment the log ended at or before what every archive holds
   * (the writes after it are only on the storage or a proxy; the storage marks the log's end every
   * second), or, when no archive's word came yet, of the oldest log not shipped; null: not known.
   */
  recoveryPointSeconds: number | null;
  /** When the proxies were last heard from (UTC, ISO 8601), null: never. */
  proxiesSeenAt: string | null;
}

/** Where one replica stands, as the sending archive last confirmed it. */
export interface ObservedReplica {
  gid: number;
  timestamp: string;
  replicatedAt?: string;
  /** The lineage (source archive uuid) the replica holds; absent: the sender's own. */
  uuid?: string;
  /** How the last replication went: full, diff or hash. */
  lastKind?: 'full' | 'diff' | 'hash';
  /** The last failed attempt, kept until a replication succeeds. */
  lastError?: { message: string; at: string } | null;
  /** A replication to this replica under way (or interrupted, until it resumes). */
  transfer?: { kind: 'full' | 'diff' | 'hash'; toGid: number; startedAt: string; doneBytes: number; totalBytes: number | null } | null;
}

export interface ObservedArchive {
  state: ArchiveState;
  /** Base image state: `<B>` when `e` is absent, `<B-->E>` while an apply runs. */
  base: { b: GidSnap; e?: GidSnap };
  uuid: string;
  /** The id of the full backup the base comes from (what a replica of it holds too); absent: `uuid`. */
  lineage?: string;
  diffs: ObservedDiff[];
  /** Gids an operator or schedule asked for (explicit snapshots that merge must keep). */
  explicitSnapshots: number[];
  /** Clean snapshots that can be restored, oldest first, with their time. */
  restorable: { gid: number; timestamp: string; explicit: boolean }[];
  restored: ObservedRestored[];
  /** The cursor of each replica (another archive host): the gid last confirmed there and the time of
   *  that snapshot; `replicatedAt` is when the last replication to it finished (UTC, ISO 8601), used
   *  by async replication schedules. The other fields are optional (fixtures may leave them out). */
  replicas: Record<string, ObservedReplica>;
  /** Is an action running right now (apply, merge, restore, replicate)? */
  busy: string | null;
  /** When the last merge finished (UTC, ISO 8601); absent or null: a periodic merge is due. */
  lastMergeAt?: string | null;
  /** Diffs the archive's check found corrupt and set aside (absent: none). */
  setAside?: SetAsideDiff[];
}

export type ProxyState = 'Clear' | 'Stopped' | 'Started';

/** The proxy side of a volume: which archive hosts it forwards diffs to (primaries and synchronized ones). */
export interface ObservedProxy {
  state: ProxyState;
  archives: string[];
  /** Archives a walb-proxy gave up forwarding to (WalB's send error: archive-not-found,
   *  smaller-lv-size, or its retry timeout); it tries them again only after a stop and a start.
   *  Absent when there is none. */
  sendErrors?: string[];
}

/**
 * What this host learnt of the volume's archive on another host through the wire's status call, or
 * why it could not. The planner states these facts; it never guesses a peer's state.
 */
export type ObservedPeerArchive = ObservedPeerReachable | ObservedPeerUnreachable;

export interface ObservedPeerReachable {
  reachable: true;
  /** When the peer answered (UTC, ISO 8601). */
  observedAt: string;
  /** `Clear` when the peer holds no archive of the volume. */
  state: ArchiveState;
  /** The peer's archive's own uuid (made at its init). */
  uuid: string | null;
  /** The storage device uuid whose history the peer's archive holds (its diffs carry it); absent:
   *  not stated (no base yet, or a peer before it). A storage with another uuid is refused there. */
  deviceUuid?: string;
  /** The base image, `<B>`; null before a full backup landed. */
  base: GidSnap | null;
  /** The end gid of the newest diff (or of the base when there is none); null when empty. */
  newestGid: number | null;
  /** Restorable clean snapshots' gids, oldest first. */
  restorable: number[];
  /** When the newest restorable snapshot was taken (UTC, ISO 8601): the lag in seconds counts from it. */
  newestAt?: string | null;
  /** An unfinished transfer into that archive: where a resume would start. */
  transfer?: { kind: string; doneBytes: number; totalBytes: number } | null;
  /** The chain's health as the peer stated it (absent: the peer holds no base, or was not asked). */
  chain?: ObservedChainHealth;
}

export interface ObservedPeerUnreachable {
  reachable: false;
  observedAt: string;
  /** Why: the connection's error or the peer's refusal, as one line. */
  error: string;
}

export interface ObservedVolume {
  name: string;
  storage?: ObservedStorage;
  archive?: ObservedArchive;
  /** Present when this host is a proxy of the volume and the driver reports it. */
  proxy?: ObservedProxy;
  /** The volume's archives on other hosts, by host name, as their status calls answered (storage hosts). */
  peers?: Record<string, ObservedPeerArchive>;
  /** Present when this host is a walbctl proxy that spools the volume: its queues. */
  spool?: ObservedSpool;
}

/**
 * What a walbctl proxy holds of one volume (native/lib/proxy): WalB's proxy state, the log received,
 * the volume's share of the spool against the host's `proxy.spoolLimit`, and one queue per archive.
 */
export interface ObservedSpool {
  state: 'Stopped' | 'Started';
  /** The newest lsid and gid the proxy holds durably (null: no batch yet). */
  receivedLsid: number | null;
  receivedGid: number | null;
  /** This volume's bytes in the spool (a diff linked into several queues counts once). */
  bytes: number;
  /** The whole spool (every volume) and its limit. */
  spoolBytes: number;
  limitBytes: number;
  /** The spool is full (at least SPOOL_FULL_PERCENT of the limit): batches are refused (no-space). */
  full: boolean;
  queues: ObservedSpoolQueue[];
}

export interface ObservedSpoolQueue {
  archive: string;
  diffs: number;
  bytes: number;
  /** The first gid the oldest queued diff starts at, and how long it has waited (null: empty). */
  oldestGid: number | null;
  oldestAgeSeconds: number | null;
  /** `started`: forwarding; `stopped`: the volume is Stopped here; `halted`: a stop-and-report reject
   *  keeps the queue until resumed; `leaving`: the archive left the tree and the queue drains. */
  forwarding: 'started' | 'stopped' | 'halted' | 'leaving';
  /** The last send's error (the forwarding loop's, or the halting reject), null when it went well. */
  lastError: string | null;
}

export interface ObservedState {
  formatVersion: 1;
  host: string;
  /** UTC, ISO 8601. */
  observedAt: string;
  volumes: Record<string, ObservedVolume>;
  /** What walbctl last applied on this host (for drift): revision and per-volume marks. */
  lastApplied: {
    revision: string | null;
    at: string | null;
    /** `protect` is the volume's protect flag when last applied: clearing a volume removed from the tree
     *  is refused while it was protected (remove `protect` in one commit, the volume in a later one). */
    volumes: Record<string, { initialized: boolean; diffCount: number; latestGid: number | null; protect?: boolean }>;
  } | null;
}
