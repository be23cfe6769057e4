/**
 * A walb-archive through walbc: its volume observed (state, base, diffs, restorable and restored
 * snapshots, uuid, and where each replica the tree pairs it with stands) and its actions, each
 * followed to its end and safe to run again. WalB's archive tasks run in the background after walbc
 * returns; they are followed by `get num-action VOL Merge|Apply|Restore` until 0 and their result
 * checked (walb-tools python/walblib does the same): apply leaves the base not applying, restore
 * leaves the gid in `get restored`. Active states: Archived, and while a task runs WdiffRecv, HashSync,
 * ReplSyncAsServer (observed as Archived, busy); the other temporary states make observation retry.
 */
import { StateError } from '../../../common/errors.js';
import type { ArchiveState, ObservedArchive, ObservedPeerArchive, ObservedReplica } from '../../../common/observed.js';
import type { DesiredHost } from '../../model/desired.js';
import type { ActionMethod, ObserveTarget } from '../driver.js';
import { numberParam } from '../params.js';
import { walbcArgs } from './argv.js';
import type { WalbRun } from './context.js';
import { WalbTaskFailedError, WalbUnsupportedError } from './errors.js';
import { waitNoAction, waitState } from './follow.js';
import { parseBase, parseDiffs, parseRestorable, parseRestored } from './parse.js';
import { walbServer } from './servers.js';
import { linkedLv, linkImage, linkRestored, restoredLvPath, unlinkImage } from './restore-links.js';
import { VERIFY_RESTORE_UNSUPPORTED, walbArchiveAddress } from './support.js';
import { walbc, type WalbcOptions, type WalbServer } from './walbc.js';

const STEADY: readonly string[] = ['Clear', 'SyncReady', 'Archived', 'Stopped'];
/** Temporary states of an archived volume: a diff arriving, a hash sync or a replication into it. */
const ACTIVE_BUSY: readonly string[] = ['WdiffRecv', 'HashSync', 'ReplSyncAsServer'];
export const ARCHIVE_ACTIVE: readonly string[] = ['Archived', ...ACTIVE_BUSY];

/** The archive volume's state, with an active temporary state read as Archived (busy: that state). */
export async function archiveState(server: WalbServer, vol: string, o: WalbcOptions): Promise<{ state: string; busy: string | null }> {
  const st = (await walbc(server, ['get', 'state', vol], o)).trim();
  if (ACTIVE_BUSY.includes(st)) return { state: 'Archived', busy: st === 'WdiffRecv' ? null : st };
  if (!STEADY.includes(st)) throw new StateError(`WalB server ${server.address}:${server.port}: volume ${vol} is ${st}, a walb-archive task is running`, { retryable: true });
  return { state: st, busy: null };
}

export async function observeArchive(t: ObserveTarget, run: WalbRun): Promise<ObservedArchive | undefined> {
  const server = walbServer(t.host, 'archive');
  const o = run.call;
  const { state, busy } = await archiveState(server, t.name, o);
  if (state === 'Clear') return undefined;
  const [base, diffs, restorable, restored, uuid, vg] = await Promise.all([
    walbc(server, ['get', 'base', t.name], o),
    walbc(server, ['get', 'diff', t.name], o),
    walbc(server, ['get', 'restorable', t.name], o),
    walbc(server, ['get', 'restored', t.name], o),
    walbc(server, ['get', 'uuid', t.name], o),
    walbc(server, ['get', 'volume-group'], o),
  ]);
  const r = parseRestorable(restorable);
  return {
    state: state as ArchiveState,
    base: parseBase(base),
    uuid: uuid.trim(),
    diffs: parseDiffs(diffs),
    explicitSnapshots: r.filter((x) => x.explicit).map((x) => x.gid),
    restorable: r,
    restored: linkRestored(parseRestored(restored, 'walbc get restored', { volumeGroup: vg.trim(), vol: t.name }), (t.volume?.restores ?? []).map((s) => s.path)),
    replicas: await observeReplicas(t, o),
    busy,
  };
}

/**
 * Where each walb-archive this one replicates to (the tree's pairs from this host) stands: the newest
 * snapshot it can restore. WalB records no time of a replication; the time of that snapshot stands in
 * for it (never later than the replication), so a schedule counted from it fires early, never late.
 * A receiver that does not answer or holds nothing is left out: the planner then replicates, and the
 * replication says why it cannot.
 */
async function observeReplicas(t: ObserveTarget, o: WalbcOptions): Promise<Record<string, ObservedReplica>> {
  const replicas: Record<string, ObservedReplica> = {};
  if (!t.desired || !t.volume) return replicas;
  for (const pair of t.volume.replication) {
    if (pair.from !== t.host.name) continue;
    const at = walbArchiveAddress(t.desired, pair.to);
    if ('why' in at) continue;
    const receiver = walbServer(t.desired.hosts[pair.to]!, 'archive');
    const newest = await walbc(receiver, ['get', 'restorable', t.name], o).then((x) => parseRestorable(x, `walbc get restorable on ${pair.to}`).at(-1), () => undefined);
    if (newest) replicas[pair.to] = { gid: newest.gid, timestamp: newest.timestamp, replicatedAt: newest.timestamp };
  }
  return replicas;
}

/**
 * A `driver: walb` archive host's walb-archive as a storage's peer (what the wire's status call
 * answers of a walbctl archive): its state, base, newest gid and restorable snapshots; null for a
 * walbctl archive (asked over the wire instead).
 */
export async function observePeerArchive(peer: DesiredHost, vol: string, o: WalbcOptions): Promise<ObservedPeerArchive | null> {
  if (peer.driver !== 'walb') return null;
  const server = walbServer(peer, 'archive');
  const observedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const { state } = await archiveState(server, vol, o);
  if (state === 'Clear' || state === 'SyncReady') return { reachable: true, observedAt, state: state as ArchiveState, uuid: null, base: null, newestGid: null, restorable: [] };
  const [base, diffs, restorable, uuid] = await Promise.all([
    walbc(server, ['get', 'base', vol], o), walbc(server, ['get', 'diff', vol], o), walbc(server, ['get', 'restorable', vol], o), walbc(server, ['get', 'uuid', vol], o),
  ]);
  const b = parseBase(base).b;
  const r = parseRestorable(restorable, `walbc get restorable on ${peer.name}`);
  const newest = Math.max(b.e, ...parseDiffs(diffs, `walbc get diff on ${peer.name}`).map((d) => d.e.e));
  return { reachable: true, observedAt, state: state as ArchiveState, uuid: uuid.trim(), base: b, newestGid: newest, restorable: r.map((x) => x.gid), newestAt: r.at(-1)?.timestamp ?? null };
}

type Method = (run: WalbRun) => ActionMethod;

/** start/stop/init/clear: run from `from`, nothing when already `done`, then follow to `goals`. */
function lifecycle(opts: { from: readonly string[]; done: readonly string[]; follow?: { during: readonly string[]; goals: readonly string[] } }): Method {
  return (base) => async (action, ctx) => {
    const run = base.with(ctx.signal);
    const server = walbServer(ctx.host, 'archive');
    const argv = walbcArgs(action, ctx.volumeName)!;
    const before = (await walbc(server, ['get', 'state', ctx.volumeName], run.call)).trim();
    if (opts.done.includes(before)) return { walbc: argv.join(' '), state: before, skipped: 'already done' };
    if (!opts.from.includes(before)) throw new WalbTaskFailedError(server, argv, `the volume is ${before}; walb-archive takes this command only from ${opts.from.join(' or ')}`);
    await walbc(server, argv, run.call);
    const state = opts.follow ? await waitState(server, ctx.volumeName, opts.follow, argv, run.state) : undefined;
    return { walbc: argv.join(' '), ...(state ? { state } : {}) };
  };
}

/** A background task: run it, wait until WalB's action counter `counter` is 0, then check its result. */
function task(counter: string, check: (server: WalbServer, vol: string, gid: number, o: WalbcOptions) => Promise<string | null>, already?: (server: WalbServer, vol: string, gid: number, o: WalbcOptions) => Promise<boolean>): Method {
  return (base) => async (action, ctx) => {
    const run = base.with(ctx.signal);
    const server = walbServer(ctx.host, 'archive');
    const argv = walbcArgs(action, ctx.volumeName)!;
    const gid = action.kind === 'merge' ? numberParam(action, 'gidE') : numberParam(action, 'gid');
    if (already && (await already(server, ctx.volumeName, gid, run.call))) return { walbc: argv.join(' '), skipped: 'already done' };
    await walbc(server, argv, run.call);
    await waitNoAction(server, ctx.volumeName, counter, argv, run.task(action, ctx.host));
    const wrong = await check(server, ctx.volumeName, gid, run.call);
    if (wrong) throw new WalbTaskFailedError(server, argv, wrong);
    return { walbc: argv.join(' ') };
  };
}

const restoredGids = async (s: WalbServer, vol: string, o: WalbcOptions): Promise<number[]> =>
  (await walbc(s, ['get', 'restored', vol], o)).split('\n').map((l) => l.trim().split(' ')[0]!).filter((x) => x !== '').map(Number);

export const archiveActions = {
  init: lifecycle({ from: ['Clear'], done: ['SyncReady', 'Archived', 'Stopped'] }),
  start: lifecycle({ from: ['Stopped'], done: ARCHIVE_ACTIVE, follow: { during: ['Start'], goals: ARCHIVE_ACTIVE } }),
  stop: lifecycle({ from: ARCHIVE_ACTIVE, done: ['Stopped', 'SyncReady'], follow: { during: [...ARCHIVE_ACTIVE, 'Stop'], goals: ['Stopped'] } }),
  /** As WalB's controller clears: an active volume is stopped (force) first; clear-vol takes Stopped or SyncReady. */
  clear: ((base) => {
    const clearVol = lifecycle({ from: ['Stopped', 'SyncReady'], done: ['Clear'] })(base);
    return async (action, ctx) => {
      const run = base.with(ctx.signal);
      const server = walbServer(ctx.host, 'archive');
      const st = (await walbc(server, ['get', 'state', ctx.volumeName], run.call)).trim();
      if (ARCHIVE_ACTIVE.includes(st)) {
        await walbc(server, ['stop', ctx.volumeName, 'force'], run.call);
        await waitState(server, ctx.volumeName, { during: [...ARCHIVE_ACTIVE, 'Stop'], goals: ['Stopped'] }, ['stop', ctx.volumeName, 'force'], run.state);
      }
      const out = await clearVol(action, ctx);
      return ARCHIVE_ACTIVE.includes(st) ? { ...out, walbc: `stop ${ctx.volumeName} force; ${String(out?.walbc)}` } : out;
    };
  }) as Method,
  merge: task('Merge', async () => null),
  apply: task('Apply', async (s, vol, gid, o) => {
    const b = parseBase(await walbc(s, ['get', 'base', vol], o));
    return b.e ? `the base is still applying (<${b.b.b}-->${b.e.b}>)` : b.b.b < gid ? `the base is at gid ${b.b.b}, not ${gid}` : null;
  }, async (s, vol, gid, o) => {
    const b = parseBase(await walbc(s, ['get', 'base', vol], o));
    return !b.e && b.b.b >= gid;
  }),
  /** The restore task, then the declared path linked to walb-archive's LV (restore-links.ts). */
  restore: ((base) => {
    const restoreTask = task('Restore', async (s, vol, gid, o) => ((await restoredGids(s, vol, o)).includes(gid) ? null : `gid ${gid} is not among the restored images`),
      async (s, vol, gid, o) => (await restoredGids(s, vol, o)).includes(gid))(base);
    return async (action, ctx) => {
      const out = await restoreTask(action, ctx);
      const path = action.params.path;
      if (typeof path !== 'string' || path === '') return out;
      const vg = (await walbc(walbServer(ctx.host, 'archive'), ['get', 'volume-group'], base.with(ctx.signal).call)).trim();
      const lv = restoredLvPath(vg, ctx.volumeName, numberParam(action, 'gid'));
      linkImage(path, lv);
      return { ...out, image: lv, path };
    };
  }) as Method,
  /** del-restored, and the declared path's link to the LV removed (when the reconciler may remove it). */
  'delete-restore': ((base) => async (action, ctx) => {
    const run = base.with(ctx.signal);
    const server = walbServer(ctx.host, 'archive');
    const argv = walbcArgs(action, ctx.volumeName)!;
    const path = typeof action.params.path === 'string' ? action.params.path : '';
    const gone = !(await restoredGids(server, ctx.volumeName, run.call)).includes(numberParam(action, 'gid'));
    if (!gone) await walbc(server, argv, run.call);
    if (path && linkedLv(path) !== null && (ctx.mayRemove?.(path) ?? true)) unlinkImage(path);
    return { walbc: argv.join(' '), ...(gone ? { skipped: 'already done' } : {}) };
  }) as Method,
  'verify-restore': (() => async () => { throw new WalbUnsupportedError('verify-restore', VERIFY_RESTORE_UNSUPPORTED); }) as Method,
};
