/**
 * DesiredState: the validated, normalised desired state of a fleet, as `reconciler/desired/`
 * produces it from the YAML tree. Raw YAML and schema types stop at that boundary; everything
 * downstream (planner, executor, daemon) works with these types only.
 *
 * Units are normalised: durations in seconds, sizes in bytes, schedules parsed, names checked.
 * Plain data only (JSON round-trips exactly), so `walbctl show desired --json` prints it as is.
 */

export type Role = 'storage' | 'proxy' | 'archive';
export type CaptureMode = 'wdev' | 'scan';
export type Compression = 'none' | 'lz4' | 'zstd' | 'snappy' | 'gzip' | 'lzma';

/** Where a value was set: a path relative to the tree's root, 1-based line and column. */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
}

export interface DesiredState {
  /** The tree's root directory (absolute). */
  root: string;
  /** `main@sha1:<sha>` when the tree is a git checkout, else null. */
  revision: string | null;
  /** Hosts by name (the file stem of `hosts/<name>.yaml`). */
  hosts: Record<string, DesiredHost>;
  /** Every host name of the tree, when `hosts` holds only those one host deals with (a daemon's load):
   *  the wire tells a host of the tree from a stranger by it. */
  allHosts?: string[];
}

export interface DesiredHost {
  name: string;
  address: string;
  roles: Role[];
  /** Absolute path of the host's data directory (archives, journals, state). */
  dataDir: string;
  /** The tree lets the daemon create a missing dataDir (`createDataDir: true`). */
  createDataDir?: boolean;
  /** Where the tree sets dataDir (for diagnostics about the directory itself). */
  dataDirSource?: SourceRef;
  /** Back end the reconciler drives: the embedded data path or WalB's own servers. */
  driver: 'native' | 'walb';
  /** `walb.taskTimeout`: how long the walb driver follows one WalB task (absent: its default, 24 h). */
  walb?: { taskTimeoutSeconds: number };
  daemon: {
    /** Seconds between level-triggered reconciles (jittered ±5 %). */
    intervalSeconds: number;
    /** Loopback address the status API and Prometheus metrics listen on, e.g. `127.0.0.1:9469`. */
    listen: string;
  };
  /** Volumes this host holds in the storage role (empty for proxy/archive-only hosts). */
  volumes: Record<string, DesiredVolume>;
  source: SourceRef;
  /** Per-role settings, with defaults filled in; null for a role the host does not have. */
  roleSettings?: RoleSettings;
  /** How the host speaks on the wire (filled in by normalisation; absent in older fixtures). */
  wire?: HostWire;
}

/** A host's identity and limits on the wire between daemons. */
export interface HostWire {
  /** Absolute PEM paths: the fleet's CA, this host's certificate and key. Used unless `insecure`. */
  tls: { ca: string; cert: string; key: string };
  /** Plain TCP instead of mutual TLS (declared `insecure: true`); every start logs a warning. */
  insecure: boolean;
  /** Bytes per second this host sends on the wire, all links together; null: unlimited. */
  bandwidthLimitBytes: number | null;
}

/** A volume's settings on the wire (storage → archive). */
export interface VolumeWire {
  compression: WireCompression;
  /** Bytes per second this volume's transfers send; null: unlimited (the host's limit still applies). */
  bandwidthLimitBytes: number | null;
}

export type WireCompression = 'none' | 'lz4' | 'zstd';

export interface RoleSettings {
  /** `listen`: the walb-storage server of a `driver: walb` host (no default; unused by the native driver). */
  storage: { wlogSizeBytes: number; listen?: string } | null;
  proxy: { listen: string; spoolLimitBytes: number } | null;
  /** `walbListen`: where a walbctl archive takes WalB's wdiff-transfer from walb-proxies (no TLS); absent: none. */
  archive: { listen: string; walbListen?: string } | null;
}

export type Schedule =
  | { kind: 'every'; everySeconds: number }
  | { kind: 'cron'; cron: string };

/** One bucket series of a zrepl-style grid: `24x1h` is count 24, period 3600 s, keep 1. */
export interface GridInterval {
  count: number;
  periodSeconds: number;
  /** Snapshots kept per bucket: a number, or every one. */
  keep: number | 'all';
}

export interface Retention {
  /** `1x1h(keep=all) | 24x1h | 14x1d`, or null when not declared. */
  grid: GridInterval[] | null;
  /** Proxmox-style counts; absent keys are not used. */
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

/** walb-worker's merge knobs. */
export interface MergePolicy {
  /** Seconds between periodic merges. */
  intervalSeconds: number;
  /** At most this many diffs merged into one. */
  maxNr: number;
  /** At most this many bytes of diff data merged into one. */
  maxSizeBytes: number;
  /** An urgent merge is due when the volume has at least this many diffs. */
  thresholdNr: number;
}

export interface ReplicationPair {
  /** Archive host sending. */
  from: string;
  /** Archive host receiving. */
  to: string;
  mode: 'async' | 'sync';
  /** When async replication runs; null for sync (continuous once synchronized). */
  schedule: Schedule | null;
  compression: Compression;
  /** Bytes per second, or null for unlimited. */
  bandwidthLimitBytes: number | null;
}

/** How far a replication target may lag before its source lets it go (any one limit past is enough). */
export interface ReplicationLimit {
  /** Most bytes of diffs held back for one target, or null. */
  bytes: number | null;
  /** Most gids a target may lag behind the newest snapshot, or null. */
  gids: number | null;
  /** Oldest a target's snapshot may be, in seconds before the newest, or null. */
  ageSeconds: number | null;
}

export interface RestoreSpec {
  /** Name of the restore, unique in the volume. */
  name: string;
  /** Which snapshot to keep restored. */
  pick: 'newest' | 'newest-hourly' | 'newest-daily' | 'newest-weekly';
  /** Absolute path of the restored image file. */
  path: string;
  /** Check the restored image's hash against the archive after each restore. */
  verify: boolean;
}

export interface ArchiveRef {
  host: string;
  /** A primary archive receives diffs from the proxy; a secondary gets them by replication. */
  primary: boolean;
}

export interface DesiredVolume {
  /** `HOST/VOLUME`, the volume's address in plans and status. */
  address: string;
  name: string;
  /** The storage host. */
  host: string;
  device: {
    /** Absolute path of the image file or block device. */
    path: string;
    kind: 'file' | 'block';
    sizeBytes: number;
  };
  capture: CaptureMode;
  /** capture: wdev only: the log ring's absolute path when the tree names one (`wdev.ring`); absent,
   *  the ring is a file in the wdev's folder. The wdev's data device is `device.path`. */
  wdev?: { ring: string };
  proxies: string[];
  archives: ArchiveRef[];
  /** Hosts besides the storage host that may restore this volume from its archives over the wire
   *  (`restoreHosts`); absent or empty: the storage host only. */
  restoreHosts?: string[];
  snapshots: { schedule: Schedule };
  retention: Retention;
  /** Fold diffs older than this into the base; null means never apply. */
  apply: { olderThanSeconds: number } | null;
  merge: MergePolicy;
  replication: ReplicationPair[];
  /** null or absent: a lagging target is held for without limit. */
  replicationLimit?: ReplicationLimit | null;
  /** Thresholds of `walbctl check` set in the tree (`check:`); absent: the built-in defaults. */
  check?: CheckThresholds;
  restores: RestoreSpec[];
  /** Refuse destructive actions on this volume. */
  protect: boolean;
  /** Do not reconcile this volume. */
  suspend: boolean;
  source: SourceRef;
  /** Compression and bandwidth on the wire (filled in by normalisation; absent in older fixtures). */
  wire?: VolumeWire;
}

/** A warning and a critical level; null: that level is not checked. */
export interface ThresholdPair {
  warning: number | null;
  critical: number | null;
}

/** `check:` of a volume, normalised: ages in seconds, sizes in bytes, usage in percent. Absent keys
 *  take walbctl check's defaults (reconciler/check/thresholds.ts). */
export interface CheckThresholds {
  recoveryPointAgeSeconds?: ThresholdPair;
  replicationLagSeconds?: ThresholdPair;
  diffBacklogBytes?: ThresholdPair;
  logUsagePercent?: ThresholdPair;
}
