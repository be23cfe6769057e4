/**
 * A walb-storage through walbc: its volume observed (state, uuid, overflow, log usage, latest
 * snapshot, how far each archive is behind: `get ts-delta`) and its actions, each followed to its end
 * and safe to run again (a volume already where the action leads is left alone). States and the
 * temporary states each task passes through are WalB's (walb-tools python/walblib):
 *   full-bkp: SyncReady → FullSync → Stopped → StartTarget → Target (hash-bkp: HashSync)
 *   start VOL target: StartTarget → Target;  stop: Target → StopTarget → Stopped,
 *   Standby → StopStandby → SyncReady
 */
import { StateError } from '../../../common/errors.js';
import type { ObservedStorage, StorageState } from '../../../common/observed.js';
import type { ActionMethod, ObserveTarget } from '../driver.js';
import { walbcArgs } from './argv.js';
import type { WalbRun } from './context.js';
import { WalbTaskFailedError } from './errors.js';
import { archiveProgress, waitState } from './follow.js';
import { parseLatestSnap, parseLogUsage, parseTsDelta } from './parse-ltsv.js';
import { walbServer } from './servers.js';
import { walbc } from './walbc.js';

const STORAGE_STATES: readonly string[] = ['Clear', 'SyncReady', 'Stopped', 'Target', 'Standby'];

export async function observeStorage(t: ObserveTarget, run: WalbRun): Promise<ObservedStorage | undefined> {
  const server = walbServer(t.host, 'storage');
  const o = run.call;
  const state = (await walbc(server, ['get', 'state', t.name], o)).trim();
  // A temporary state (FullSync, StartTarget, …): a task runs; observed again on the next pass.
  if (!STORAGE_STATES.includes(state)) throw new StateError(`WalB server ${server.address}:${server.port}: volume ${t.name} is ${state}, a walb-storage task is running`, { retryable: true });
  if (state === 'Clear') return undefined;
  const uuid = (await walbc(server, ['get', 'uuid', t.name], o)).trim();
  const overflow = (await walbc(server, ['get', 'is-overflow', t.name], o)).trim() === '1';
  // The all-volumes forms skip a volume with nothing to say (no snapshot yet) instead of failing.
  const usage = parseLogUsage(await walbc(server, ['get', 'log-usage'], o), t.name);
  const latest = parseLatestSnap(await walbc(server, ['get', 'latest-snap'], o), t.name);
  const lag: NonNullable<ObservedStorage['archiveLag']> = {};
  for (const d of parseTsDelta(await walbc(server, ['get', 'ts-delta'], o))) {
    if (d.name === t.name) lag[d.dest] = { gid: d.destGid, timestamp: d.destTimestamp, seconds: d.deltaSeconds };
  }
  return {
    state: state as StorageState,
    capture: 'wdev',
    uuid,
    devicePath: t.volume?.device.path ?? '',
    sizeBytes: t.volume?.device.sizeBytes ?? 0,
    overflow,
    latestGid: latest?.gid ?? null,
    lastSnapshotAt: latest?.timestamp ?? null,
    ...(usage ? { log: { usagePb: usage.usagePb, capacityPb: usage.capacityPb } } : {}),
    ...(Object.keys(lag).length > 0 ? { archiveLag: lag } : {}),
  };
}

type Method = (run: WalbRun) => ActionMethod;

/** Runs the action's walbc command when the volume is in one of `from`; then follows it to `to`. */
function step(opts: { from: readonly string[]; done: readonly string[]; follow?: { during: readonly string[]; goals: readonly string[] }; task?: boolean }): Method {
  return (base) => async (action, ctx) => {
    const run = base.with(ctx.signal);
    const server = walbServer(ctx.host, 'storage');
    const argv = walbcArgs(action, ctx.volumeName, { wdevPath: ctx.volume?.device.path })!;
    const before = (await walbc(server, ['get', 'state', ctx.volumeName], run.call)).trim();
    if (opts.done.includes(before)) return { walbc: argv.join(' '), state: before, skipped: 'already done' };
    if (!opts.from.includes(before)) throw new WalbTaskFailedError(server, argv, `the volume is ${before}; walb-storage takes this command only from ${opts.from.join(' or ')}`);
    const out = await walbc(server, argv, run.call);
    // A backup's progress is the primary walb-archive's (`get progress`), for the time-limit error.
    const primary = opts.task ? ctx.volume?.archives.find((a) => a.primary && ctx.desired.hosts[a.host]?.driver === 'walb') : undefined;
    const o = opts.task ? run.task(action, ctx.host) : run.state;
    const progress = primary ? archiveProgress({ name: primary.host, server: walbServer(ctx.desired.hosts[primary.host]!, 'archive') }, ctx.volumeName, o) : undefined;
    const state = opts.follow ? await waitState(server, ctx.volumeName, opts.follow, argv, o, progress) : undefined;
    return { walbc: argv.join(' '), ...(state ? { state } : {}), ...(out.trim() ? { output: out.trim().slice(0, 200) } : {}) };
  };
}

export const storageActions = {
  init: step({ from: ['Clear'], done: ['SyncReady', 'Stopped', 'Target', 'Standby'] }),
  'full-backup': step({ from: ['SyncReady'], done: [], follow: { during: ['FullSync', 'Stopped', 'StartTarget'], goals: ['Target'] }, task: true }),
  'hash-backup': step({ from: ['SyncReady'], done: [], follow: { during: ['HashSync', 'Stopped', 'StartTarget'], goals: ['Target'] }, task: true }),
  start: step({ from: ['Stopped'], done: ['Target'], follow: { during: ['StartTarget'], goals: ['Target'] } }),
  stop: step({ from: ['Target', 'Standby'], done: ['Stopped', 'SyncReady'], follow: { during: ['Target', 'StopTarget', 'Standby', 'StopStandby'], goals: ['Stopped', 'SyncReady'] } }),
  /** As WalB's controller clears: Target or Standby stopped (force), Stopped reset (reset-vol, to
   *  SyncReady), then clear-vol. */
  clear: ((base) => {
    const clearVol = step({ from: ['SyncReady'], done: ['Clear'] })(base);
    return async (action, ctx) => {
      const run = base.with(ctx.signal);
      const server = walbServer(ctx.host, 'storage');
      const vol = ctx.volumeName;
      const before: string[] = [];
      let st = (await walbc(server, ['get', 'state', vol], run.call)).trim();
      if (st === 'Target' || st === 'Standby') {
        await walbc(server, ['stop', vol, 'force'], run.call);
        before.push(`stop ${vol} force`);
        st = await waitState(server, vol, { during: ['Target', 'StopTarget', 'Standby', 'StopStandby'], goals: ['Stopped', 'SyncReady'] }, ['stop', vol, 'force'], run.state);
      }
      if (st === 'Stopped') {
        await walbc(server, ['reset-vol', vol], run.call);
        before.push(`reset-vol ${vol}`);
      }
      const out = await clearVol(action, ctx);
      return before.length > 0 ? { ...out, walbc: `${before.join('; ')}; ${String(out?.walbc)}` } : out;
    };
  }) as Method,
  /** `snapshot VOL` prints the gid it took. */
  snapshot: ((base) => async (action, ctx) => {
    const server = walbServer(ctx.host, 'storage');
    const argv = walbcArgs(action, ctx.volumeName)!;
    const out = (await walbc(server, argv, base.with(ctx.signal).call)).trim();
    if (!/^\d+$/.test(out)) throw new WalbTaskFailedError(server, argv, `it printed "${out}", not the snapshot's gid`);
    return { walbc: argv.join(' '), gid: Number(out) };
  }) as Method,
};
