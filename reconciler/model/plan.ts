/**
 * Plan: a plain value computed by `computePlan(desired, observed, now)` and executed, exactly, by the
 * executor. Actions come from a fixed set; `reason` is for display only and the executor never
 * branches on it.
 */

export const ACTION_KINDS = [
  'init',
  'full-backup',
  'hash-backup',
  'snapshot',
  'merge',
  'apply',
  'restore',
  'verify-restore',
  'delete-restore',
  'replicate',
  'synchronize',
  'stop-synchronize',
  'release-replica',
  'add-destination',
  'delete-destination',
  'start',
  'stop',
  'clear',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** How an action shows in the plan: `+` create, `~` change, `-` destroy, `>` data-path action. */
export type ChangeKind = 'create' | 'update' | 'delete' | 'data';

export interface PlanAction {
  /** Stable within the plan: `HOST/VOLUME:kind[:n]`. */
  id: string;
  kind: ActionKind;
  /** `HOST/VOLUME`. */
  address: string;
  change: ChangeKind;
  params: Record<string, string | number | boolean | null | number[]>;
  /** Ids of actions that must finish first. */
  dependsOn: string[];
  /** Display only. */
  reason: string;
  /** Destroys data: runs only with --allow-destroy, never on a protected volume. */
  destructive: boolean;
  /** Set when the action cannot run yet (e.g. replication before the transport exists). */
  blocked: string | null;
  /** Set when policy forbids the action (a destructive action on a `protect`ed volume): the executor
   *  never runs it, with or without --allow-destroy. Absent means null. */
  refused?: string | null;
}

/** A volume the planner did not plan, and why (e.g. `suspend: true`). */
export interface SkippedVolume {
  address: string;
  reason: string;
}

/** When a volume's next time-driven action falls due (for the daemon's schedule ticks and status). */
export interface UpcomingAction {
  address: string;
  kind: 'snapshot' | 'replicate' | 'apply' | 'merge';
  /** UTC, ISO 8601. */
  at: string;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** `HOST/VOLUME` or a file location. */
  address: string;
  message: string;
  /** Where the volume is declared (`hosts/local.yaml:20:3`), when the diagnostic is about a declared volume. */
  source?: string;
}

export interface DriftItem {
  address: string;
  /** What differs from what walbctl last applied. */
  message: string;
}

export interface Plan {
  formatVersion: 1;
  host: string;
  /** Repository revision the desired state came from. */
  revision: string | null;
  /** ObservedState.observedAt the plan was made against. */
  observedAt: string;
  /** sha256 of the observed state's canonical JSON, to refuse a stale saved plan. */
  observedDigest: string;
  /** When the plan was computed (the `now` given to computePlan). */
  createdAt: string;
  drift: DriftItem[];
  actions: PlanAction[];
  diagnostics: Diagnostic[];
  /** False when errors kept the planner from planning some volumes. */
  complete: boolean;
  /** False when the plan has errors: the executor refuses it. */
  applyable: boolean;
  /** Volumes left out of the plan on purpose (suspended). Absent means none. */
  skipped?: SkippedVolume[];
  /** The next time-driven action per volume. Absent means none computed. */
  upcoming?: UpcomingAction[];
}
