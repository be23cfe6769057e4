/**
 * Replication between walb-archives, as WalB's own controller does it (walb-tools python/walblib
 * `replicate_once`, `synchronize`, `stop_synchronizing`):
 *   replicate         on the receiver `init-vol` when it holds nothing; on the sender `replicate VOL gid
 *                     GID ADDR:PORT …` (argv.ts); followed until the sender's ReplSyncAsClient count
 *                     is 0 and the receiver left ReplSyncAsServer/FullSync/Resync; then the receiver
 *                     must restore GID (`get restorable VOL all`).
 *   synchronize       each of the volume's walb-proxies stopped with `stop VOL empty` (it forwards
 *                     what it holds first), `archive-info add VOL TO ADDR:PORT` where missing, the
 *                     replicate above, the proxies started again: from then on they forward every
 *                     diff to the receiver too; the volume's walb-storage kicked (it sends its logs
 *                     again at once). When every walb-proxy forwards there already, only the
 *                     replicate runs (a gap caught up; nothing when the receiver holds GID). walbctl proxies of the volume add a sync receiver
 *                     themselves (the proxy role) and are not touched here.
 *   stop-synchronize  each walb-proxy forwarding to TO: stopped, `archive-info delete VOL TO`, started
 *                     again while it has other destinations; the walb-storage kicked.
 *   release-replica   WalB keeps no replica cursor that holds diffs back: nothing to do.
 * The receiver must be a `driver: walb` archive (support.ts says why otherwise); WalB's replicate has
 * no bandwidth limit, so a pair's bandwidthLimit is not applied.
 */
import type { ActionContext, ActionMethod } from '../driver.js';
import type { PlanAction } from '../../model/plan.js';
import { numberParam, stringParam } from '../params.js';
import { walbcArgs } from './argv.js';
import type { WalbRun } from './context.js';
import { WalbTaskFailedError, WalbUnsupportedError } from './errors.js';
import { archiveProgress, waitNoAction, waitState } from './follow.js';
import { parseRestorable } from './parse.js';
import { parseArchiveList, parseProxyState } from './proxy.js';
import { walbServer } from './servers.js';
import { walbArchiveAddress } from './support.js';
import { walbc, type WalbServer } from './walbc.js';

type Method = (run: WalbRun) => ActionMethod;

/** The receiver's server and address, or the typed reason WalB cannot replicate to it. */
function receiverOf(action: PlanAction, ctx: ActionContext): { to: string; server: WalbServer; address: string } {
  const to = stringParam(action, 'to');
  const at = walbArchiveAddress(ctx.desired, to);
  if ('why' in at) throw new WalbUnsupportedError(action.kind, at.why);
  return { to, server: walbServer(ctx.desired.hosts[to]!, 'archive'), address: at.address };
}

async function replicateOnce(action: PlanAction, ctx: ActionContext, run: WalbRun): Promise<{ walbc: string; gid: number; skipped?: string }> {
  const sender = walbServer(ctx.host, 'archive');
  const vol = ctx.volumeName;
  const r = receiverOf(action, ctx);
  const gid = numberParam(action, 'toGid');
  const argv = walbcArgs(action, vol, { replicaAddress: r.address })!;
  const state = (await walbc(r.server, ['get', 'state', vol], run.call)).trim();
  const holds = async (): Promise<number | null> => (state === 'Clear' ? null : parseRestorable(await walbc(r.server, ['get', 'restorable', vol, 'all'], run.call), `walbc get restorable on ${r.to}`).at(-1)?.gid ?? null);
  const before = await holds();
  if (before !== null && before >= gid) return { walbc: argv.join(' '), gid: before, skipped: `${r.to} already holds gid ${before}` };
  if (state === 'Clear') await walbc(r.server, ['init-vol', vol], run.call);
  await walbc(sender, argv, run.call);
  const o = run.task(action, ctx.host);
  const progress = archiveProgress({ name: r.to, server: r.server }, vol, o);
  await waitNoAction(sender, vol, 'ReplSyncAsClient', argv, o, progress);
  await waitState(r.server, vol, { during: ['ReplSyncAsServer', 'FullSync', 'Resync'], goals: ['Archived', 'WdiffRecv', 'HashSync', 'SyncReady', 'Stopped'] }, argv, o, progress);
  const newest = parseRestorable(await walbc(r.server, ['get', 'restorable', vol, 'all'], run.call), `walbc get restorable on ${r.to}`).at(-1)?.gid ?? null;
  if (newest === null || newest < gid) throw new WalbTaskFailedError(sender, argv, `${r.to} restores ${newest === null ? 'nothing' : `up to gid ${newest}`}, not gid ${gid}`);
  return { walbc: argv.join(' '), gid: newest };
}

/**
 * `kick` on the volume's walb-storage, as WalB's controller does after its proxies changed: the
 * storage sends its logs again at once instead of at its next retry. Best effort: the change stands
 * without it, so a storage that does not answer is only reported.
 */
async function kickStorage(ctx: ActionContext, run: WalbRun): Promise<string | null> {
  const host = Object.values(ctx.desired.hosts).find((h) => h.volumes[ctx.volumeName] && h.driver === 'walb' && h.roleSettings?.storage?.listen);
  if (!host) return null;
  return walbc(walbServer(host, 'storage'), ['kick'], run.call).then(() => `${host.name}: kick`, (e: unknown) => `${host.name}: kick failed (${(e as Error).message.split('\n')[0]})`);
}

/** The volume's walb-proxies (the tree's `driver: walb` proxies of it) and their servers. */
function walbProxies(ctx: ActionContext): { name: string; server: WalbServer }[] {
  return (ctx.volume?.proxies ?? []).map((name) => ctx.desired.hosts[name]).filter((h) => h?.driver === 'walb').map((h) => ({ name: h!.name, server: walbServer(h!, 'proxy') }));
}

const PROXY_ACTIVE = ['Started', 'WlogRecv'];
const PROXY_STOPPING = { during: ['Started', 'WlogRecv', 'Stop', 'WaitForEmpty'], goals: ['Stopped'] };

export const replicationActions = {
  replicate: ((base) => async (action, ctx) => replicateOnce(action, ctx, base.with(ctx.signal))) as Method,

  synchronize: ((base) => async (action, ctx) => {
    const run = base.with(ctx.signal);
    const vol = ctx.volumeName;
    const r = receiverOf(action, ctx);
    const proxies = walbProxies(ctx);
    const restart: { name: string; server: WalbServer }[] = [];
    const commands: string[] = [];
    // Every walb-proxy already forwards to the receiver: only the gap is replicated, nothing stopped.
    const forwarding = async (p: { server: WalbServer }): Promise<boolean> => {
      const st = parseProxyState(await walbc(p.server, ['get', 'state', vol], run.call));
      return st === 'Started' && parseArchiveList(await walbc(p.server, ['archive-info', 'list', vol], run.call)).includes(r.to);
    };
    let all = true;
    for (const p of proxies) if (!(await forwarding(p))) all = false;
    if (all) {
      const once = await replicateOnce(action, ctx, run);
      return { walbc: once.walbc, gid: once.gid, proxies: proxies.map((p) => p.name).join(','), ...(once.skipped ? { skipped: once.skipped } : {}) };
    }
    let gid: number | undefined;
    try {
      for (const p of proxies) {
        const st = (await walbc(p.server, ['get', 'state', vol], run.call)).trim();
        if (!PROXY_ACTIVE.includes(st)) continue;
        await walbc(p.server, ['stop', vol, 'empty'], run.call);
        commands.push(`${p.name}: stop ${vol} empty`);
        restart.push(p);
      }
      for (const p of proxies) {
        await waitState(p.server, vol, { during: PROXY_STOPPING.during, goals: ['Stopped', 'Clear'] }, ['stop', vol, 'empty'], run.state);
        const have = parseProxyState(await walbc(p.server, ['get', 'state', vol], run.call)) === 'Clear' ? [] : parseArchiveList(await walbc(p.server, ['archive-info', 'list', vol], run.call));
        if (!have.includes(r.to)) {
          await walbc(p.server, ['archive-info', 'add', vol, r.to, r.address], run.call);
          commands.push(`${p.name}: archive-info add ${vol} ${r.to} ${r.address}`);
          if (!restart.includes(p)) restart.push(p);
        }
      }
      const once = await replicateOnce(action, ctx, run);
      commands.push(once.walbc);
      gid = once.gid;
    } finally {
      // Forwarding resumes (now to the receiver too) even when the replication failed: the next pass
      // replicates again, and walb-proxy keeps retrying the receiver meanwhile.
      for (const p of restart) {
        const st = (await walbc(p.server, ['get', 'state', vol], run.call).catch(() => '')).trim();
        if (st === 'Stopped') await walbc(p.server, ['start', vol], run.call);
      }
    }
    const kicked = restart.length > 0 ? await kickStorage(ctx, run) : null;
    if (kicked) commands.push(kicked);
    return { walbc: commands.join('; '), gid, proxies: proxies.map((p) => p.name).join(',') };
  }) as Method,

  'stop-synchronize': ((base) => async (action, ctx) => {
    const run = base.with(ctx.signal);
    const vol = ctx.volumeName;
    const to = stringParam(action, 'to');
    const done: string[] = [];
    for (const p of walbProxies(ctx)) {
      const st = parseProxyState(await walbc(p.server, ['get', 'state', vol], run.call));
      if (st === 'Clear' || !parseArchiveList(await walbc(p.server, ['archive-info', 'list', vol], run.call)).includes(to)) continue;
      if (st === 'Started') {
        await walbc(p.server, ['stop', vol], run.call);
        await waitState(p.server, vol, PROXY_STOPPING, ['stop', vol], run.state);
      }
      await walbc(p.server, ['archive-info', 'delete', vol, to], run.call);
      done.push(`${p.name}: archive-info delete ${vol} ${to}`);
      // With its last destination gone walb-proxy clears the volume; with others it forwards again.
      if ((await walbc(p.server, ['get', 'state', vol], run.call)).trim() === 'Stopped') await walbc(p.server, ['start', vol], run.call);
    }
    const kicked = done.length > 0 ? await kickStorage(ctx, run) : null;
    if (kicked) done.push(kicked);
    return { walbc: done.join('; ') || null, ...(done.length === 0 ? { skipped: `no walb-proxy forwards ${vol} to ${to}` } : {}) };
  }) as Method,

  'release-replica': (() => async () => ({ walbc: null, skipped: 'WalB keeps no replica cursor that holds diffs back: nothing to release' })) as Method,
};
