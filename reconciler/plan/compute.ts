/**
 * computePlan(desired, observed, now): the whole plan for the observed host, as a plain value. Pure:
 * no I/O, no clock but `now`. Volumes are planned in address order; a volume that cannot be planned
 * gives an error diagnostic and leaves the plan incomplete and not applyable, the others still plan.
 */
import type { DesiredState, DesiredVolume } from '../model/desired.js';
import type { ObservedSpool, ObservedState } from '../../common/observed.js';
import type { Diagnostic, DriftItem, Plan, PlanAction, SkippedVolume, UpcomingAction } from '../model/plan.js';
import { clearSteps } from '../policy/lifecycle.js';
import { spoolFullWarning } from '../policy/spool.js';
import { toIso } from '../policy/time.js';
import { VolumeActions } from './builder.js';
import { hostClaims } from '../policy/claims.js';
import { observedDigest } from './digest.js';
import { DriftCollector } from './drift.js';
import { objectSource, type VolumeSource } from './volume-source.js';
import { planVolume } from './volume.js';
import { proxyDestinations, walbProxySteps } from '../policy/walb-proxy.js';
import { walbcArgs } from '../drivers/walb/argv.js';
import { nativeToWalbUnsupported, walbArchiveAddress, walbUnsupported } from '../drivers/walb/support.js';

export interface PlanResult {
  plan: Plan;
  diagnostics: Diagnostic[];
}

/** The volumes `host` holds a role of: stored here, archived here, or proxied here. */
export function volumesOf(desired: DesiredState, host: string): Map<string, DesiredVolume> {
  const found = new Map<string, DesiredVolume>();
  for (const h of Object.values(desired.hosts)) {
    for (const v of Object.values(h.volumes)) {
      if (v.host === host || v.archives.some((a) => a.host === host) || v.proxies.includes(host)) found.set(v.name, v);
    }
  }
  return found;
}

export interface ComputeOptions {
  /** False: leave `observedDigest` empty (""), for a plan that is only shown as text and never saved or
   *  printed as JSON — the digest is a JSON.stringify and sha256 over the whole observed state. */
  digest?: boolean;
}

export function computePlan(desired: DesiredState, observed: ObservedState, now: Date, options: ComputeOptions = {}): PlanResult {
  const actions: PlanAction[] = [];
  const rest = planHostVolumes(desired, observed, now, options, {
    volume(list) {
      for (const a of list) actions.push(a);
    },
  });
  const plan: Plan = { ...rest.head, actions, ...rest.tail };
  return { plan, diagnostics: plan.diagnostics };
}

/** The plan's fields shown above the volumes (known once every volume was visited: drift is found on the way). */
export interface PlanHead {
  formatVersion: 1;
  host: string;
  revision: string | null;
  observedAt: string;
  createdAt: string;
  drift: DriftItem[];
  skipped: SkippedVolume[];
}

/** The plan's fields shown below the volumes. */
export interface PlanTail {
  observedDigest: string;
  diagnostics: Diagnostic[];
  complete: boolean;
  applyable: boolean;
  upcoming: UpcomingAction[];
}

export interface VolumeSink {
  /** One volume's actions, in address order, each volume once (the list may be empty). */
  volume(actions: PlanAction[]): void;
}

/**
 * computePlan a volume at a time: each volume's actions go to `sink` as soon as they are planned, so
 * a caller that prints them at once (the plan command) never holds the whole plan — for 10,000
 * volumes that is 47,000 actions the garbage collector would otherwise copy again and again.
 * computePlan collects them; both give the same plan.
 */
export function planHostVolumes(
  desired: DesiredState,
  observed: ObservedState,
  now: Date,
  options: ComputeOptions,
  sink: VolumeSink,
  source: VolumeSource = objectSource(observed.volumes),
): { head: PlanHead; tail: PlanTail } {
  const host = observed.host;
  const t = now.getTime();
  const diagnostics: Diagnostic[] = [];
  const refusals: Diagnostic[] = [];
  const upcoming: UpcomingAction[] = [];
  let complete = true;

  const declared = desired.hosts[host] ? volumesOf(desired, host) : new Map<string, DesiredVolume>();
  if (!desired.hosts[host]) {
    diagnostics.push({ severity: 'error', address: host, message: `host ${host} is not declared in the repository (no hosts/${host}.yaml)` });
    complete = false;
  }
  const claims = desired.hosts[host] ? hostClaims(desired, host) : new Map();
  // A walb-proxy takes plan actions; a walbctl proxy applies the tree to its spool in the daemon.
  const walbHost = desired.hosts[host]?.driver === 'walb';
  const walbProxy = walbHost && desired.hosts[host]!.roles.includes('proxy');
  const addressOf = (name: string): string => declared.get(name)?.address ?? `${host}/${name}`;
  const nameSet = new Set(declared.keys());
  if (desired.hosts[host]) for (const name of source.names) nameSet.add(name);
  const named: { name: string; address: string }[] = [];
  for (const name of nameSet) named.push({ name, address: addressOf(name) });
  named.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));

  const skipped: SkippedVolume[] = [];
  for (const { name, address } of named) if (declared.get(name)?.suspend) skipped.push({ address, reason: 'suspend: true — not reconciled' });
  const drift = new DriftCollector(observed);
  const spools: Record<string, ObservedSpool> = {};
  for (const { name, address } of named) {
    const volume = declared.get(name);
    const live = source.get(name);
    if (live?.spool) spools[name] = live.spool;
    drift.volume(name, address, live);
    if (volume?.suspend) continue;
    let actions: PlanAction[] = NO_ACTIONS;
    try {
      if (volume) {
        // The refusal's reason is only built for a protected volume (the only one it is shown for).
        const out = new VolumeActions(address, { on: volume.protect, why: volume.protect ? `${address} is protected (protect: true): destructive actions never run on it` : '' });
        const proxyTo = walbProxy ? (volume.proxies.includes(host) ? proxyDestinations(desired, volume) : []) : undefined;
        const proxyWhy = proxyTo && !volume.proxies.includes(host) ? `and ${host} is no longer a proxy of the volume` : undefined;
        const result = planVolume({ host, volume, live, now: t, claims, ...(proxyTo ? { proxyDestinations: proxyTo, proxyWhy } : {}) }, out);
        actions = out.actions;
        if (walbHost) showWalbc(actions, { vol: volume.name, wdevPath: volume.device.path, desired });
        else for (const a of actions) a.blocked ??= nativeToWalbUnsupported(a, desired);
        for (const u of result.upcoming) upcoming.push(u);
        if (result.warnings.length > 0) {
          const source = `${volume.source.file}:${volume.source.line}:${volume.source.col}`;
          for (const message of result.warnings) diagnostics.push({ severity: 'warning', address, message, source });
        }
      } else {
        const wasProtected = observed.lastApplied?.volumes[name]?.protect === true;
        const out = new VolumeActions(address, {
          on: wasProtected,
          why: `${address} was protected when last applied: remove "protect" in one commit and the volume in a later one`,
        });
        const steps = clearSteps({ storage: live?.storage, archive: live?.archive, keepStorage: false, keepArchive: false, why: 'the volume was removed from the repository' });
        out.addClear(steps);
        if (walbProxy) for (const step of walbProxySteps(name, live?.proxy, [], 'and the volume was removed from the repository')) out.add(step, { chain: 'proxy' });
        actions = out.actions;
        if (walbHost) showWalbc(actions, { vol: name, desired });
      }
    } catch (error) {
      complete = false;
      actions = NO_ACTIONS;
      const source = volume ? `${volume.source.file}:${volume.source.line}:${volume.source.col}` : undefined;
      diagnostics.push({ severity: 'error', address, message: `cannot plan this volume: ${(error as Error).message}`, ...(source ? { source } : {}) });
    }
    for (const a of actions) if (a.refused) refusals.push({ severity: 'warning', address: a.address, message: `${a.id} is refused: ${a.refused}` });
    sink.volume(actions);
  }
  for (const r of refusals) diagnostics.push(r);
  const fullSpool = spoolFullWarning(spools);
  if (fullSpool) diagnostics.push({ severity: 'warning', address: host, message: fullSpool });
  // Volumes the planner did not visit but drift covers: marked as last applied yet neither declared
  // nor on the host, and (for a host the repository does not declare) everything on it.
  const late = new Set<string>();
  for (const name of drift.markedNames()) if (!nameSet.has(name)) late.add(name);
  if (!desired.hosts[host]) for (const name of source.names) if (!nameSet.has(name)) late.add(name);
  for (const name of late) drift.volume(name, addressOf(name), source.get(name));
  const head: PlanHead = {
    formatVersion: 1,
    host,
    revision: desired.revision,
    observedAt: observed.observedAt,
    createdAt: toIso(t),
    drift: drift.items(),
    skipped,
  };

  const tail: PlanTail = {
    observedDigest: options.digest === false ? '' : observedDigest(observed),
    diagnostics,
    complete,
    applyable: !diagnostics.some((d) => d.severity === 'error'),
    upcoming: upcoming.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.address < b.address ? -1 : a.address > b.address ? 1 : 0)),
  };
  return { head, tail };
}

const NO_ACTIONS: PlanAction[] = [];

/**
 * On a `driver: walb` host every action WalB has one command for shows it (`walbc="…"`, after the
 * server arguments): the command apply runs (drivers/walb/argv.ts). Proxy actions carry theirs already.
 * An action WalB's servers cannot perform (drivers/walb/support.ts) is blocked with the reason.
 */
function showWalbc(actions: PlanAction[], at: { vol: string; wdevPath?: string; desired: DesiredState }): void {
  for (const a of actions) {
    const unsupported = walbUnsupported(a, at.desired);
    if (unsupported && !a.blocked) a.blocked = unsupported;
    if (a.params.walbc !== undefined) continue;
    let argv: string[] | null = null;
    try {
      const to = a.params.to;
      const replica = typeof to === 'string' && (a.kind === 'replicate' || a.kind === 'synchronize') ? walbArchiveAddress(at.desired, to) : null;
      argv = walbcArgs(a, at.vol, { ...(at.wdevPath ? { wdevPath: at.wdevPath } : {}), ...(replica && 'address' in replica ? { replicaAddress: replica.address } : {}) });
    } catch {
      // Display only: an action whose parameters walbc cannot take fails when it runs, saying why.
    }
    if (argv) a.params = { ...a.params, walbc: argv.join(' ') };
  }
}
