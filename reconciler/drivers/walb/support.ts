/**
 * What WalB's servers cannot do, said once for the planner (the action shows blocked with the reason)
 * and for the driver (the same reason as a typed error, should the action run anyway). Pure.
 */
import type { DesiredState } from '../../model/desired.js';
import type { PlanAction } from '../../model/plan.js';

export const VERIFY_RESTORE_UNSUPPORTED =
  'WalB servers cannot verify a restored image: walb-archive has no command that compares a restored volume with its snapshot (its bhash hashes the snapshot in the archive, not the restored LV), so a `verify` restore on a driver: walb host is not checked';

/** `HOST:PORT` of a `driver: walb` archive host's walb-archive (its `archive.listen`), or why there is none. */
export function walbArchiveAddress(desired: DesiredState, name: string): { address: string } | { why: string } {
  const host = desired.hosts[name];
  if (!host) return { why: `${name} is not a host of the tree` };
  if (host.driver !== 'walb') return { why: `walb-archive replicates only to another walb-archive (WalB's repl-sync); ${name} is a walbctl archive, which does not speak repl-sync` };
  const listen = host.roleSettings?.archive?.listen;
  const m = listen ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(listen) : null;
  if (!m) return { why: `host ${name} has no archive.listen (HOST:PORT) for its walb-archive` };
  if (m[1]!.includes(':')) return { why: `walbc's replicate takes ADDRESS:PORT split at the first colon: ${name}'s archive.listen "${listen}" (IPv6) cannot be given to it` };
  return { address: `${m[1]}:${m[2]}` };
}

/** Why the walb driver cannot perform `action`, or null when it can. */
export function walbUnsupported(action: PlanAction, desired: DesiredState): string | null {
  if (action.kind === 'verify-restore') return VERIFY_RESTORE_UNSUPPORTED;
  if (action.kind === 'replicate' || action.kind === 'synchronize') {
    const to = action.params.to;
    if (typeof to !== 'string') return null;
    const r = walbArchiveAddress(desired, to);
    return 'why' in r ? r.why : null;
  }
  return null;
}

/**
 * Why a walbctl (native) archive cannot perform `action` toward a WalB host, or null: walbctl
 * replicates over its own wire, and a walb-archive takes a replication only as WalB's repl-sync.
 */
export function nativeToWalbUnsupported(action: PlanAction, desired: DesiredState): string | null {
  if (action.kind !== 'replicate' && action.kind !== 'synchronize') return null;
  const to = action.params.to;
  if (typeof to !== 'string' || desired.hosts[to]?.driver !== 'walb') return null;
  return `walbctl replicates over its own wire; ${to} is a walb-archive, which takes a replication only as WalB's repl-sync (walbctl does not speak it)`;
}
