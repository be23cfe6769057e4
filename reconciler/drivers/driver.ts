/**
 * The boundary between the reconciler and a back end. A driver reports live state as plain data
 * (`common/observed.ts`) and performs the actions of a Plan, one method per action kind
 * (`reconciler/model/plan.ts` ACTION_KINDS), split by the role that performs them.
 *
 * Every action method must be idempotent: the executor re-runs an action whose completion it did not
 * record (a crash mid-plan), so running it on a volume where it already took effect must succeed and
 * change nothing.
 */
import type { DesiredHost, DesiredState, DesiredVolume } from '../model/desired.js';
import type { ObservedArchive, ObservedPeerArchive, ObservedProxy, ObservedStorage } from '../../common/observed.js';
import { InputError } from '../../common/errors.js';
import { DriverUnavailableError } from './errors.js';
import type { ActionKind, PlanAction } from '../model/plan.js';
import type { ObserveRound } from '../observed/round.js';

export type DriverRole = 'storage' | 'archive' | 'proxy';

/** What an action method receives besides the action itself. */
export interface ActionContext {
  host: DesiredHost;
  /** The volume as the desired state declares it; null for a volume removed from the tree (clear). */
  volume: DesiredVolume | null;
  /** The volume's name (the part of the address after the slash). */
  volumeName: string;
  desired: DesiredState;
  /** Aborted when the daemon must stop now (a second SIGTERM); a driver may ignore it. */
  signal?: AbortSignal;
  /** When the plan was computed: an action whose effect is newer already ran (idempotence). */
  planCreatedAt: string;
  /** Whether the driver may delete a restored image at this path (the reconciler made it for this
   *  volume and no other volume declares it: apply/ownership.ts). Absent: the caller decided already. */
  mayRemove?: (path: string) => boolean;
}

/** What an action reports back: plain data, recorded in the journal and shown with --json. */
export type ActionOutcome = Record<string, string | number | boolean | null | undefined> | void;

export type ActionMethod = (action: PlanAction, context: ActionContext) => Promise<ActionOutcome>;

/** Where a volume stands, looked up for observation. */
export interface ObserveTarget {
  host: DesiredHost;
  /** Name of the volume. */
  name: string;
  /** Declared volume, or null when it is only found on disk (removed from the tree). */
  volume: DesiredVolume | null;
  /** The whole tree, for a driver that looks at a volume's other hosts (the walb driver: replicas). */
  desired?: DesiredState;
  /** The host's observation this belongs to: what every volume would read again is read once in it. */
  round?: ObserveRound;
}

export interface StorageDriver {
  /** The storage side of one volume, or undefined when the volume was never initialised here. */
  observe(target: ObserveTarget): Promise<ObservedStorage | undefined>;
  init: ActionMethod;
  'full-backup': ActionMethod;
  'hash-backup': ActionMethod;
  snapshot: ActionMethod;
  start: ActionMethod;
  stop: ActionMethod;
  clear: ActionMethod;
}

export interface ArchiveDriver {
  /** The archive side of one volume, or undefined when this host holds no archive of it. */
  observe(target: ObserveTarget): Promise<ObservedArchive | undefined>;
  init: ActionMethod;
  start: ActionMethod;
  stop: ActionMethod;
  clear: ActionMethod;
  merge: ActionMethod;
  apply: ActionMethod;
  restore: ActionMethod;
  'verify-restore': ActionMethod;
  'delete-restore': ActionMethod;
  replicate: ActionMethod;
  synchronize: ActionMethod;
  'stop-synchronize': ActionMethod;
  /** Forgets a replica's cursor (its pair left the tree): retention stops holding diffs back for it. */
  'release-replica': ActionMethod;
}

/**
 * The proxy role, for a driver whose proxies take plan actions (walb-proxy through walbc); a walbctl
 * proxy applies the tree to its spool in the daemon and has none. start/stop carry `params.role: proxy`.
 */
export interface ProxyDriver {
  /** The proxy side of one volume, or undefined when the proxy holds nothing of it. */
  observe(target: ObserveTarget): Promise<ObservedProxy | undefined>;
  start: ActionMethod;
  stop: ActionMethod;
  /** Forward the volume's diffs to one more archive (`params.to`, `params.address`). */
  'add-destination': ActionMethod;
  /** Stop forwarding them to `params.to`. */
  'delete-destination': ActionMethod;
}

export type StorageActionKind = Exclude<keyof StorageDriver, 'observe'>;
export type ArchiveActionKind = Exclude<keyof ArchiveDriver, 'observe'>;
export type ProxyActionKind = Exclude<keyof ProxyDriver, 'observe'>;

/** Kinds both roles have (init, start, stop, clear): the action's `params.role` says which. */
export type SharedActionKind = StorageActionKind & ArchiveActionKind;

/**
 * Which role performs each action kind; `params` for the kinds both roles have. Checked against
 * ACTION_KINDS at compile time.
 */
export const ACTION_ROLE: {
  [K in ActionKind]: K extends SharedActionKind ? 'params' : K extends StorageActionKind ? 'storage' : K extends ArchiveActionKind ? 'archive' : K extends ProxyActionKind ? 'proxy' : never;
} = {
  init: 'params',
  start: 'params',
  stop: 'params',
  clear: 'params',
  'full-backup': 'storage',
  'hash-backup': 'storage',
  snapshot: 'storage',
  merge: 'archive',
  apply: 'archive',
  restore: 'archive',
  'verify-restore': 'archive',
  'delete-restore': 'archive',
  replicate: 'archive',
  synchronize: 'archive',
  'stop-synchronize': 'archive',
  'release-replica': 'archive',
  'add-destination': 'proxy',
  'delete-destination': 'proxy',
};

/** The role that performs `action`. */
export function roleOf(action: PlanAction): DriverRole {
  const role = ACTION_ROLE[action.kind];
  if (role !== 'params') return role;
  const declared = action.params.role;
  if (declared === 'storage' || declared === 'archive') return declared;
  if (declared === 'proxy' && (action.kind === 'start' || action.kind === 'stop')) return declared;
  throw new InputError(`${action.id}: a ${action.kind} action needs params.role "storage" or "archive"${action.kind === 'start' || action.kind === 'stop' ? ' or "proxy"' : ''}, got ${JSON.stringify(declared ?? null)}`);
}

export interface Driver {
  /** `native` or `walb`, as a host file's `driver` names it. */
  readonly name: string;
  readonly storage: StorageDriver;
  readonly archive: ArchiveDriver;
  /** Absent: the driver's proxies take no plan actions (the planner plans none for them). */
  readonly proxy?: ProxyDriver;
  /** Names of the volumes present in the host's data (declared or not), so removed ones can be cleared. */
  listVolumes(host: DesiredHost): Promise<string[]>;
  /**
   * A volume's archive on another host, asked the driver's own way (the walb driver: walbc to a
   * `driver: walb` archive); null when that host is not of the driver's kind (the wire's status call
   * asks it then). Absent: the driver has no way of its own.
   */
  observePeerArchive?(peer: DesiredHost, volume: string): Promise<ObservedPeerArchive | null>;
}

/** Runs one action through the driver method for its kind. */
export function runDriverAction(driver: Driver, action: PlanAction, context: ActionContext): Promise<ActionOutcome> {
  const role = roleOf(action);
  if (role === 'storage') return driver.storage[action.kind as StorageActionKind](action, context);
  if (role === 'proxy') {
    if (!driver.proxy) throw new DriverUnavailableError(driver.name, `${action.id}: the ${driver.name} driver takes no proxy actions`);
    return driver.proxy[action.kind as ProxyActionKind](action, context);
  }
  return driver.archive[action.kind as ArchiveActionKind](action, context);
}
