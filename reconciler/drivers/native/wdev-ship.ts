/**
 * The storage's snapshot of a wdev volume whose log goes to proxies: the snapshot is only recorded
 * here (a gid at the permanent lsid, always a batch boundary); the daemon's shipping loop
 * (reconciler/fleet/ship-role.ts) carries it to the proxy, which forwards it to every archive.
 */
import { snapshotWdev } from '../../../native/lib/wdev/index.js';
import type { ActionContext, ActionOutcome } from '../driver.js';

/** Does this volume's log go to proxies on other hosts? (A storage host named as its own proxy
 *  ships on the host, storage → proxy → archive in one step, at each snapshot.) */
export function shipsToProxies(ctx: ActionContext): boolean {
  return (ctx.volume?.proxies ?? []).some((p) => p !== ctx.host.name);
}

export async function snapshotForProxies(ctx: ActionContext): Promise<ActionOutcome> {
  const r = await snapshotWdev(ctx.host.dataDir, ctx.volumeName, { explicit: true, ship: false });
  return r ? { gid: r.gid, lsid: r.lsid, via: ctx.volume!.proxies.filter((p) => p !== ctx.host.name).join(',') } : { already: true };
}
