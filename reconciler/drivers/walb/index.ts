/**
 * The `walb` driver: WalB's own servers through `walbc`, run with execa (argument arrays, no shell).
 * It covers observation of the archive side (state, base, diffs, restorable and restored snapshots)
 * and of the storage side (state, uuid, overflow), and the actions WalB has one command for; the
 * proxy side is proxy.ts and proxy-reconcile.ts (tested against the real walb-proxy). Servers: the
 * host file's `storage.listen`, `proxy.listen` and `archive.listen`. Not covered: listing volumes the
 * tree no longer declares, log positions, restore verification, replication, the proxy in plan/apply.
 * walb-storage and walb-archive cannot run here: their commands are checked against walbc's own
 * argument parsing, their text parsers against the forms `walbctl archive get` prints.
 */
import type { DesiredHost } from '../../model/desired.js';
import type { ArchiveState, ObservedStorage, StorageState } from '../../../common/observed.js';
import type { ActionMethod, Driver, DriverRole } from '../driver.js';
import { DriverUnavailableError } from '../errors.js';
import { walbcArgs } from './argv.js';
import { parseBase, parseDiffs, parseRestorable, parseRestored } from './parse.js';
import { observeProxy, proxy } from './proxy.js';
import { walbc, type WalbServer } from './walbc.js';

function parseAddress(value: string, what: string): WalbServer {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(value);
  if (!m) throw new DriverUnavailableError('walb', `${what} "${value}" is not HOST:PORT`);
  return { address: m[1], port: Number(m[2]) };
}

/** The WalB server of a host's role, from its host file: `storage.listen`, `proxy.listen` or `archive.listen`. */
export function walbServer(host: DesiredHost, role: DriverRole | 'proxy'): WalbServer {
  const listen = host.roleSettings?.[role]?.listen;
  if (!listen) throw new DriverUnavailableError('walb', `host ${host.name} has no ${role}.listen for its walb-${role} server`);
  return parseAddress(listen, `host ${host.name} ${role}.listen`);
}

const STORAGE_STATES: readonly string[] = ['Clear', 'SyncReady', 'Stopped', 'Target', 'Standby'];
const ARCHIVE_STATES: readonly string[] = ['Clear', 'SyncReady', 'Archived', 'Stopped'];

/** Runs the walbc command of an action (argv.ts) on the host's server of `role`, and says which it ran. */
function run(role: DriverRole): ActionMethod {
  return async (action, ctx) => {
    const argv = walbcArgs(action, ctx.volumeName, { wdevPath: ctx.volume?.device.path });
    if (!argv) throw new DriverUnavailableError('walb', `${action.kind} is not implemented for WalB servers`);
    const out = await walbc(walbServer(ctx.host, role), argv, { signal: ctx.signal });
    return { walbc: argv.join(' '), output: out.slice(0, 200) };
  };
}

export function createWalbDriver(): Driver {
  const storageRun = run('storage');
  const archiveRun = run('archive');
  const proxyRun = run('proxy');
  return {
    name: 'walb',
    storage: {
      async observe(t): Promise<ObservedStorage | undefined> {
        const server = walbServer(t.host, 'storage');
        const state = (await walbc(server, ['get', 'state', t.name])).trim();
        if (!STORAGE_STATES.includes(state) || state === 'Clear') return undefined;
        const uuid = (await walbc(server, ['get', 'uuid', t.name])).trim();
        const overflow = (await walbc(server, ['get', 'is-overflow', t.name])).trim() === '1';
        return { state: state as StorageState, capture: 'wdev', uuid, devicePath: t.volume?.device.path ?? '', sizeBytes: t.volume?.device.sizeBytes ?? 0, overflow, latestGid: null };
      },
      init: storageRun,
      'full-backup': storageRun,
      'hash-backup': storageRun,
      snapshot: storageRun,
      start: storageRun,
      stop: storageRun,
      clear: storageRun,
    },
    archive: {
      async observe(t) {
        const server = walbServer(t.host, 'archive');
        const state = (await walbc(server, ['get', 'state', t.name])).trim();
        if (!ARCHIVE_STATES.includes(state) || state === 'Clear') return undefined;
        const [base, diffs, restorable, restored, uuid] = await Promise.all([
          walbc(server, ['get', 'base', t.name]),
          walbc(server, ['get', 'diff', t.name]),
          walbc(server, ['get', 'restorable', t.name]),
          walbc(server, ['get', 'restored', t.name]),
          walbc(server, ['get', 'uuid', t.name]),
        ]);
        const r = parseRestorable(restorable);
        return {
          state: state as ArchiveState,
          base: parseBase(base),
          uuid: uuid.trim(),
          diffs: parseDiffs(diffs),
          explicitSnapshots: r.filter((x) => x.explicit).map((x) => x.gid),
          restorable: r,
          restored: parseRestored(restored),
          replicas: {},
          busy: null,
        };
      },
      init: archiveRun,
      start: archiveRun,
      stop: archiveRun,
      clear: archiveRun,
      merge: archiveRun,
      apply: archiveRun,
      restore: archiveRun,
      'verify-restore': archiveRun,
      'delete-restore': archiveRun,
      replicate: archiveRun,
      synchronize: archiveRun,
      'stop-synchronize': archiveRun,
      'release-replica': archiveRun,
    },
    proxy: {
      observe: (t) => observeProxy(walbServer(t.host, 'proxy'), t.name),
      start: proxyRun,
      stop: proxyRun,
      'add-destination': proxyRun,
      'delete-destination': proxyRun,
    },
    /** The volumes walb-proxy holds (its status), so one the tree dropped is cleared there. */
    async listVolumes(host) {
      return host.roles.includes('proxy') ? (await proxy.status(walbServer(host, 'proxy'))).volumes : [];
    },
  };
}
