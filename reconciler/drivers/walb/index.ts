/**
 * The `walb` driver: WalB's own servers through `walbc`, run with execa (argument arrays, no shell).
 * Servers: the host file's `storage.listen`, `proxy.listen` and `archive.listen` (servers.ts).
 *   storage.ts    walb-storage: observe (state, uuid, overflow, log usage, latest snapshot, ts-delta),
 *                 init-vol with the walb device, full-bkp and hash-bkp followed to Target, snapshot,
 *                 start/stop followed, clear (stop force, reset-vol, clear-vol)
 *   archive.ts    walb-archive: observe (state, base, diffs, restorable, restored, replicas), a storage's
 *                 walb-archive as its peer, init, start/stop, clear, merge/apply/restore followed to their
 *                 end and checked, del-restored; restore-links.ts: a declared restore path linked to
 *                 WalB's LV
 *   replicate.ts  replicate, synchronize (walb-proxies told to forward to the receiver), stop-synchronize
 *   proxy.ts      walb-proxy: status, state, archive-info add/delete/list, start/stop
 *   follow.ts     long tasks polled to completion with time limits (context.ts: an action's
 *                 timeoutSeconds, the host's walb.taskTimeout, 24 h); errors.ts typed errors naming the
 *                 server and the command; support.ts what cannot be done (verify-restore, replication
 *                 between a walb-archive and a walbctl archive), which the plan shows blocked
 * Volumes the tree dropped are found with `get vol` (storage, archive) and walb-proxy's status.
 * walb-storage and walb-archive cannot run on the project's machines: their commands are checked
 * against the real walbc (its argument parsing, and end to end against a stand-in server speaking
 * WalB's protocol, test/helpers/walb-standin.ts); walb-proxy is tested for real. Not covered: a
 * walbctl archive's base from walb-storage (dirty-full-sync/dirty-hash-sync), resize, kick.
 */
import type { ObservedArchive, ObservedStorage } from '../../../common/observed.js';
import type { ActionMethod, Driver } from '../driver.js';
import { archiveActions, observeArchive, observePeerArchive } from './archive.js';
import { WalbRun, type WalbDriverOptions } from './context.js';
import { observeProxy, proxy } from './proxy.js';
import { replicationActions } from './replicate.js';
import { walbServer } from './servers.js';
import { storageActions, observeStorage } from './storage.js';
import { walbc } from './walbc.js';
import { walbcArgs } from './argv.js';

export { walbServer } from './servers.js';
export type { WalbDriverOptions } from './context.js';

/** A proxy action: its one walbc command. */
function proxyRun(run: WalbRun): ActionMethod {
  return async (action, ctx) => {
    const argv = walbcArgs(action, ctx.volumeName)!;
    await walbc(walbServer(ctx.host, 'proxy'), argv, run.with(ctx.signal).call);
    return { walbc: argv.join(' ') };
  };
}

const volumeList = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

export function createWalbDriver(options: WalbDriverOptions = {}): Driver {
  const run = new WalbRun(options);
  return {
    name: 'walb',
    storage: {
      observe: (t): Promise<ObservedStorage | undefined> => observeStorage(t, run),
      init: storageActions.init(run),
      'full-backup': storageActions['full-backup'](run),
      'hash-backup': storageActions['hash-backup'](run),
      snapshot: storageActions.snapshot(run),
      start: storageActions.start(run),
      stop: storageActions.stop(run),
      clear: storageActions.clear(run),
    },
    archive: {
      observe: (t): Promise<ObservedArchive | undefined> => observeArchive(t, run),
      init: archiveActions.init(run),
      start: archiveActions.start(run),
      stop: archiveActions.stop(run),
      clear: archiveActions.clear(run),
      merge: archiveActions.merge(run),
      apply: archiveActions.apply(run),
      restore: archiveActions.restore(run),
      'verify-restore': archiveActions['verify-restore'](run),
      'delete-restore': archiveActions['delete-restore'](run),
      replicate: replicationActions.replicate(run),
      synchronize: replicationActions.synchronize(run),
      'stop-synchronize': replicationActions['stop-synchronize'](run),
      'release-replica': replicationActions['release-replica'](run),
    },
    proxy: {
      observe: (t) => observeProxy(walbServer(t.host, 'proxy'), t.name, run.call),
      start: proxyRun(run),
      stop: proxyRun(run),
      'add-destination': proxyRun(run),
      'delete-destination': proxyRun(run),
    },
    /** A walb-archive of a volume this host stores, asked through walbc (a walbctl archive: null). */
    observePeerArchive: (peer, vol) => observePeerArchive(peer, vol, run.call),
    /** The volumes WalB's servers on the host hold (`get vol`; walb-proxy's status), so one the tree dropped is cleared. */
    async listVolumes(host) {
      const names = new Set<string>();
      for (const role of ['storage', 'archive'] as const) {
        if (host.roles.includes(role)) for (const v of volumeList(await walbc(walbServer(host, role), ['get', 'vol'], run.call))) names.add(v);
      }
      if (host.roles.includes('proxy')) for (const v of (await proxy.status(walbServer(host, 'proxy'), run.call)).volumes) names.add(v);
      return [...names].sort();
    },
  };
}
