/**
 * The native driver's storage role: the embedded `scan` capture (native/lib/storage). Each method
 * first checks whether its effect is already there, so running it again after a crash is harmless.
 */
import { fullBackup, hashBackup, initVolume, observeStorage, snapshot, startVolume, stopVolume, resetVolume, clearVolume, storagePaths } from '../../../native/lib/storage/index.js';
import { observeArchive } from '../../../native/lib/archive/index.js';
import type { ObservedStorage } from '../../model/observed.js';
import type { PlanAction } from '../../model/plan.js';
import { ObserveCache } from './observe-cache.js';
import type { ActionContext, StorageDriver } from '../driver.js';
import { ActionFailedError } from '../errors.js';

async function live(ctx: ActionContext) {
  return observeStorage(ctx.host.dataDir, ctx.volumeName);
}

/** The archive a backup or snapshot goes to: this host's (a remote primary is blocked by the planner). */
function archiveDataDir(action: PlanAction, ctx: ActionContext): string {
  const archive = action.params.archive;
  if (typeof archive === 'string' && archive !== ctx.host.name) {
    throw new ActionFailedError(action.id, `the primary archive is on host ${archive}: sending to another host needs the transport (not built yet)`);
  }
  return ctx.host.dataDir;
}

export function nativeStorage(): StorageDriver {
  const cache = new ObserveCache<ObservedStorage>();
  return {
    observe: (t) => cache.get(storagePaths(t.host.dataDir, t.name).dir, () => observeStorage(t.host.dataDir, t.name), () => true),

    async init(action, ctx) {
      const s = await live(ctx);
      if (s && s.state !== 'Clear') return { already: true, state: s.state };
      const capture = action.params.capture ?? ctx.volume?.capture ?? 'scan';
      if (capture !== 'scan') throw new ActionFailedError(action.id, `capture "${String(capture)}" is not available in the native storage yet: declare capture: scan`);
      const device = typeof action.params.device === 'string' ? action.params.device : ctx.volume?.device.path;
      if (!device) throw new ActionFailedError(action.id, 'no device path (params.device)');
      const sizeBytes = typeof action.params.sizeBytes === 'number' ? action.params.sizeBytes : ctx.volume?.device.sizeBytes;
      const meta = await initVolume(ctx.host.dataDir, ctx.volumeName, { devicePath: device, ...(sizeBytes !== undefined ? { sizeBytes } : {}) });
      return { uuid: meta.uuid, device: meta.devicePath, sizeBytes: meta.sizeBytes };
    },

    async 'full-backup'(action, ctx) {
      const target = archiveDataDir(action, ctx);
      const s = await live(ctx);
      if (s && s.state !== 'SyncReady' && s.state !== 'Clear') return { already: true, state: s.state };
      const r = await fullBackup(ctx.host.dataDir, ctx.volumeName, { archiveDataDir: target });
      return { snap: `|${r.snap.b},${r.snap.e}|`, bytesScanned: r.bytesScanned, dataBytes: r.dataBytes, seconds: r.seconds };
    },

    async 'hash-backup'(action, ctx) {
      const target = archiveDataDir(action, ctx);
      const s = await live(ctx);
      if (s && s.state === 'Target' && !s.overflow) return { already: true, state: s.state };
      const r = await hashBackup(ctx.host.dataDir, ctx.volumeName, { archiveDataDir: target });
      return { gid: r.gid, changedBytes: r.changedBytes, diffBytes: r.diffBytes, seconds: r.seconds };
    },

    async snapshot(action, ctx) {
      // Taken already when the archive holds a snapshot from the second the plan was made or later.
      const newest = (await observeArchive(ctx.host.dataDir, ctx.volumeName))?.restorable.filter((r) => r.explicit).at(-1);
      const planSecond = Math.floor(Date.parse(ctx.planCreatedAt) / 1000) * 1000;
      if (newest && Date.parse(newest.timestamp) >= planSecond) return { already: true, gid: newest.gid };
      const r = await snapshot(ctx.host.dataDir, ctx.volumeName, { archiveDataDir: archiveDataDir(action, ctx), explicit: true });
      return { gid: r.gid, changedBytes: r.changedBytes, diffBytes: r.diffBytes, seconds: r.seconds };
    },

    async start(_action, ctx) {
      const s = await live(ctx);
      if (s?.state === 'Target') return { already: true };
      await startVolume(ctx.host.dataDir, ctx.volumeName);
    },

    async stop(_action, ctx) {
      const s = await live(ctx);
      if (!s || s.state === 'Stopped' || s.state === 'SyncReady' || s.state === 'Clear') return { already: true };
      await stopVolume(ctx.host.dataDir, ctx.volumeName);
    },

    async clear(_action, ctx) {
      let s = await live(ctx);
      if (!s || s.state === 'Clear') return { already: true };
      if (s.state === 'Target') await stopVolume(ctx.host.dataDir, ctx.volumeName);
      s = await live(ctx);
      if (s?.state === 'Stopped') await resetVolume(ctx.host.dataDir, ctx.volumeName);
      await clearVolume(ctx.host.dataDir, ctx.volumeName);
    },
  };
}
