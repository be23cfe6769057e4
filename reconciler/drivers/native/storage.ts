/**
 * The native driver's storage role: the embedded `scan` capture (native/lib/storage). Each method
 * first checks whether its effect is already there, so running it again after a crash is harmless.
 */
import { dirname } from 'node:path';

import { fullBackup, hashBackup, initVolume, observeStorage, snapshot, startVolume, stopVolume, resetVolume, clearVolume, storagePaths } from '../../../native/lib/storage/index.js';
import { archiveMeta, archiveRoot, observeArchive } from '../../../native/lib/archive/index.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import type { ObservedStorage } from '../../../common/observed.js';
import type { PlanAction } from '../../model/plan.js';
import { namesIn, ObserveCache } from './observe-cache.js';
import { backupWdevAction, baseForArchiveAction, initWdev, isWdevVolume, observeWdev, snapshotWdevAction, startWdev, stopWdevAction, wdevArchive } from './wdev-storage.js';
import type { ActionContext, StorageDriver } from '../driver.js';
import type { ObserveRound } from '../../observed/round.js';
import { ActionFailedError } from '../errors.js';
import { ensureOutbox, outboxDir, ship } from './remote-archive.js';
import { remoteHashBackup } from './remote-hash-backup.js';
import { remoteRepair } from './remote-repair.js';
import { shipsToProxies, snapshotForProxies } from './wdev-ship.js';
import { localLostTail } from '../../policy/chain-hole.js';
import { chainHealth } from '../../policy/diff-chain.js';

async function live(ctx: ActionContext) {
  return observeStorage(ctx.host.dataDir, ctx.volumeName);
}

/** The archive host a backup or snapshot goes to when it is another host, else null. */
function remotePeer(action: PlanAction, ctx: ActionContext): string | null {
  const archive = action.params.archive;
  return typeof archive === 'string' && archive !== ctx.host.name ? archive : null;
}

/** The archive a scan's backup or snapshot goes to: this host's, or the outbox bound for another host.
 *  (A wdev sends to another host directly: wdev-storage.ts, wdevArchive.) */
async function archiveDataDir(action: PlanAction, ctx: ActionContext): Promise<string> {
  const peer = remotePeer(action, ctx);
  if (peer === null) return ctx.host.dataDir;
  return ensureOutbox(ctx.host, ctx.volumeName);
}

/** After the step wrote into the outbox: send the peer what it lacks (a no-op for a local archive). */
async function shipped(action: PlanAction, ctx: ActionContext, outcome: Record<string, string | number | boolean | null | undefined>) {
  const peer = remotePeer(action, ctx);
  if (peer === null) return outcome;
  const r = await ship(action.id, ctx, peer);
  return { ...outcome, to: peer, baseSent: r.base, diffsSent: r.diffs, wireBytes: r.wireBytes, resumedFrom: r.resumedFrom, outboxFolded: r.pruned };
}

/** The gid of the outbox's base (what the remote primary acknowledged), or null when there is no outbox of `vol`. */
async function outboxBaseGid(host: ActionContext['host'], vol: string, round?: ObserveRound): Promise<number | null> {
  if (!(await namesIn(round, archiveRoot(outboxDir(host)))).has(vol)) return null;
  const meta = await archiveMeta(outboxDir(host), vol).catch(() => null);
  if (!meta || (meta.state !== 'Archived' && meta.state !== 'Stopped')) return null;
  return (meta.base.e ?? meta.base.b).b;
}

/** Is this volume captured by a wdev (declared so, or found so on disk)? */
async function wdev(ctx: ActionContext): Promise<boolean> {
  return ctx.volume?.capture === 'wdev' || (await isWdevVolume(ctx.host.dataDir, ctx.volumeName));
}

export function nativeStorage(): StorageDriver {
  const cache = new ObserveCache<ObservedStorage>();
  return {
    // A wdev's state lives in its running server (log positions move with every write): never cached.
    // Most hosts have no wdev and no outbox: one listing of each folder per observation says which
    // volumes to look for there.
    observe: async (t) => {
      const wdevs = await namesIn(t.round, dirname(wdevPaths(t.host.dataDir, t.name).dir));
      if (wdevs.has(t.name) && (await isWdevVolume(t.host.dataDir, t.name))) return observeWdev(t.host.dataDir, t.name);
      const s = await cache.get(storagePaths(t.host.dataDir, t.name).dir, () => observeStorage(t.host.dataDir, t.name), () => true);
      const acknowledged = s ? await outboxBaseGid(t.host, t.name, t.round) : null;
      return s && acknowledged !== null ? { ...s, outboxBaseGid: acknowledged } : s;
    },

    async init(action, ctx) {
      if ((action.params.capture ?? ctx.volume?.capture) === 'wdev') return initWdev(action, ctx);
      const s = await live(ctx);
      if (s && s.state !== 'Clear') return { already: true, state: s.state };
      const device = typeof action.params.device === 'string' ? action.params.device : ctx.volume?.device.path;
      if (!device) throw new ActionFailedError(action.id, 'no device path (params.device)');
      const sizeBytes = typeof action.params.sizeBytes === 'number' ? action.params.sizeBytes : ctx.volume?.device.sizeBytes;
      const meta = await initVolume(ctx.host.dataDir, ctx.volumeName, { devicePath: device, ...(sizeBytes !== undefined ? { sizeBytes } : {}) });
      return { uuid: meta.uuid, device: meta.devicePath, sizeBytes: meta.sizeBytes };
    },

    async 'full-backup'(action, ctx) {
      // One more primary archive of a wdev that ships to proxies: a base without restarting the log.
      if (action.params.additional === true && remotePeer(action, ctx) !== null && (await wdev(ctx))) return baseForArchiveAction(action, ctx, await wdevArchive(action, ctx, remotePeer(action, ctx)));
      if (await wdev(ctx)) return backupWdevAction(action, ctx, await wdevArchive(action, ctx, remotePeer(action, ctx)));
      const target = await archiveDataDir(action, ctx);
      const s = await live(ctx);
      // Done already here; for a remote archive the staged base may still have to go out.
      if (s && s.state !== 'SyncReady' && s.state !== 'Clear') return shipped(action, ctx, { already: true, state: s.state });
      const r = await fullBackup(ctx.host.dataDir, ctx.volumeName, { archiveDataDir: target });
      return shipped(action, ctx, { snap: `|${r.snap.b},${r.snap.e}|`, bytesScanned: r.bytesScanned, dataBytes: r.dataBytes, seconds: r.seconds });
    },

    async 'hash-backup'(action, ctx) {
      const peer = remotePeer(action, ctx);
      if (await wdev(ctx)) return backupWdevAction(action, ctx, await wdevArchive(action, ctx, peer));
      // A repair of a hole the remote archive answered: its own procedure (remote-repair.ts).
      if (peer !== null) return typeof action.params.repairAfterGid === 'number' ? remoteRepair(action.id, ctx, peer) : remoteHashBackup(action.id, ctx, peer);
      const target = await archiveDataDir(action, ctx);
      const s = await live(ctx);
      // A repair (the archive's chain has a hole) is done once the chain has none; otherwise a running
      // storage without an overflow needs no hash backup.
      const repair = typeof action.params.repairAfterGid === 'number';
      const arch = repair ? await observeArchive(target, ctx.volumeName) : null;
      const health = arch ? chainHealth(arch.base, arch.diffs, arch.setAside) : null;
      const done = repair ? health !== null && health.hole === null && localLostTail(health.contiguousTo, s ?? undefined) === null : s !== null && s !== undefined && s.state === 'Target' && !s.overflow;
      if (done) return { already: true, state: s?.state ?? null };
      const r = await hashBackup(ctx.host.dataDir, ctx.volumeName, { archiveDataDir: target });
      return { gid: r.gid, changedBytes: r.changedBytes, diffBytes: r.diffBytes, seconds: r.seconds };
    },

    async snapshot(action, ctx) {
      if (shipsToProxies(ctx) && (await wdev(ctx))) return snapshotForProxies(ctx);
      if (await wdev(ctx)) return snapshotWdevAction(action, ctx, await wdevArchive(action, ctx, remotePeer(action, ctx)));
      const target = await archiveDataDir(action, ctx);
      // Taken already when the archive holds a snapshot from the second the plan was made or later.
      const newest = (await observeArchive(target, ctx.volumeName))?.restorable.filter((r) => r.explicit).at(-1);
      const planSecond = Math.floor(Date.parse(ctx.planCreatedAt) / 1000) * 1000;
      if (newest && Date.parse(newest.timestamp) >= planSecond) return shipped(action, ctx, { already: true, gid: newest.gid });
      const compression = ctx.volume?.wire && remotePeer(action, ctx) !== null ? { compression: ctx.volume.wire.compression } : {};
      const r = await snapshot(ctx.host.dataDir, ctx.volumeName, { archiveDataDir: target, explicit: true, ...compression });
      return shipped(action, ctx, { gid: r.gid, changedBytes: r.changedBytes, diffBytes: r.diffBytes, seconds: r.seconds });
    },

    async start(action, ctx) {
      if (await wdev(ctx)) return startWdev(action, ctx);
      const s = await live(ctx);
      if (s?.state === 'Target') return { already: true };
      await startVolume(ctx.host.dataDir, ctx.volumeName);
    },

    async stop(action, ctx) {
      if (await wdev(ctx)) return stopWdevAction(action, ctx);
      const s = await live(ctx);
      if (!s || s.state === 'Stopped' || s.state === 'SyncReady' || s.state === 'Clear') return { already: true };
      await stopVolume(ctx.host.dataDir, ctx.volumeName);
    },

    async clear(action, ctx) {
      if (await wdev(ctx)) throw new ActionFailedError(action.id, 'clearing a wdev volume is not automated yet: stop it ("walbctl wdev stop") and remove its folder under wdev/ by hand');
      let s = await live(ctx);
      if (!s || s.state === 'Clear') return { already: true };
      if (s.state === 'Target') await stopVolume(ctx.host.dataDir, ctx.volumeName);
      s = await live(ctx);
      if (s?.state === 'Stopped') await resetVolume(ctx.host.dataDir, ctx.volumeName);
      await clearVolume(ctx.host.dataDir, ctx.volumeName);
    },
  };
}
