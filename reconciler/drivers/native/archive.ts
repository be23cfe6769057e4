/**
 * The native driver's archive role (native/lib/archive). Each method first checks whether its effect
 * is already there, so running it again after a crash is harmless; the archive's own recovery
 * finishes an interrupted apply, merge or restore.
 */
import { resolve } from 'node:path';

import { applyUpTo, archivePaths, clearArchive, DiffChecker, releaseReplica, deleteRestored, initArchiveVolume, merge, observeArchive, restore, restoredImages, setSnapshotExplicit, startArchive, stopArchive } from '../../../native/lib/archive/index.js';
import type { ObservedArchive } from '../../../common/observed.js';
import type { ActionContext, ActionMethod, ArchiveDriver, ObserveTarget } from '../driver.js';
import { numberParam, stringParam } from '../params.js';
import { forgetVolume, readDriverState, updateDriverState } from './driver-state.js';
import { ObserveCache } from './observe-cache.js';
import { onceIn } from '../../observed/round.js';
import { replicate } from './replicate.js';
import { scratchDir, verifyRestore } from './verify-restore.js';

async function live(ctx: ActionContext) {
  return observeArchive(ctx.host.dataDir, ctx.volumeName);
}

/** The archive's own report, plus what the driver remembers: last merge, verification outcomes. */
async function observe(t: ObserveTarget, cache: ObserveCache<ObservedArchive>, checker: DiffChecker): Promise<ObservedArchive | undefined> {
  // The periodic check of the diffs' checksums first: a corrupt diff leaves the chain (a hole the plan repairs).
  await checker.check(t.host.dataDir, t.name).catch(() => {});
  const raw = await cache.get(archivePaths(t.host.dataDir, t.name).dir, () => observeArchive(t.host.dataDir, t.name), (a) => a?.busy === null || a === undefined);
  if (!raw) return undefined;
  const archive = { ...raw };
  const mine = (await onceIn(t.round, `native-driver-state:${t.host.dataDir}`, () => readDriverState(t.host.dataDir))).volumes[t.name];
  const scratch = scratchDir(t.host.dataDir) + '/';
  archive.restored = raw.restored
    .filter((r) => !r.path.startsWith(scratch))
    .map((r) => {
      if (r.verified !== null) return r;
      const v = mine?.verified?.[r.path];
      return v && v.gid === r.gid && v.createdAt === r.createdAt ? { ...r, verified: v.ok } : r;
    });
  if (archive.lastMergeAt === undefined && mine?.lastMergeAt) archive.lastMergeAt = mine.lastMergeAt;
  return archive;
}

export function nativeArchive(): ArchiveDriver {
  const cache = new ObserveCache<ObservedArchive>();
  const checker = new DiffChecker();
  return {
    observe: (t) => observe(t, cache, checker),

    async init(_action, ctx) {
      const a = await live(ctx);
      if (a && a.state !== 'Clear') return { already: true, state: a.state };
      const meta = await initArchiveVolume(ctx.host.dataDir, ctx.volumeName);
      return { uuid: meta.uuid };
    },

    async start(_action, ctx) {
      const a = await live(ctx);
      if (a?.state === 'Archived') return { already: true };
      await startArchive(ctx.host.dataDir, ctx.volumeName);
    },

    async stop(_action, ctx) {
      const a = await live(ctx);
      if (!a || a.state !== 'Archived') return { already: true };
      await stopArchive(ctx.host.dataDir, ctx.volumeName);
    },

    async clear(_action, ctx) {
      const a = await live(ctx);
      // WalB clears an archive from Stopped or SyncReady: an Archived one is stopped first.
      if (a?.state === 'Archived') await stopArchive(ctx.host.dataDir, ctx.volumeName);
      if (a && a.state !== 'Clear') await clearArchive(ctx.host.dataDir, ctx.volumeName, ctx.mayRemove ? { removeRestored: ctx.mayRemove } : {});
      await forgetVolume(ctx.host.dataDir, ctx.volumeName);
      return a ? { diffs: a.diffs.length } : { already: true };
    },

    async merge(action, ctx) {
      const gidB = numberParam(action, 'gidB');
      const gidE = numberParam(action, 'gidE');
      const a = await live(ctx);
      const done = a?.diffs.some((d) => d.b.b === gidB && d.e.b === gidE);
      let outcome: Record<string, number | boolean>;
      if (done) outcome = { already: true };
      else {
        // Snapshots retention drops become implicit first, so the merge may take them away (as WalB).
        const drops = Array.isArray(action.params.drops) ? action.params.drops : [];
        for (const gid of drops) {
          if (a?.explicitSnapshots.includes(gid)) await setSnapshotExplicit(ctx.host.dataDir, ctx.volumeName, { gid, explicit: false });
        }
        const r = await merge(ctx.host.dataDir, ctx.volumeName, { gidB, gidE });
        outcome = { diffsIn: r.inputs.length, bytesIn: r.bytesIn, bytesOut: r.bytesOut, seconds: r.seconds };
      }
      await updateDriverState(ctx.host.dataDir, ctx.volumeName, (v) => void (v.lastMergeAt = new Date().toISOString()));
      return outcome;
    },

    async apply(action, ctx) {
      const gid = numberParam(action, 'gid');
      const a = await live(ctx);
      if (a && !a.base.e && a.base.b.b >= gid) return { already: true, gid: a.base.b.b };
      const r = await applyUpTo(ctx.host.dataDir, ctx.volumeName, gid);
      return { gid: r.gid, diffsApplied: r.diffsApplied, bytes: r.bytes, seconds: r.seconds };
    },

    async restore(action, ctx) {
      const gid = numberParam(action, 'gid');
      const path = resolve(stringParam(action, 'path'));
      const r = await restore(ctx.host.dataDir, ctx.volumeName, gid, { path, mode: 'auto' });
      return { gid, path: r.path, method: r.method, diffsApplied: r.diffsApplied, bytes: r.bytes, seconds: r.seconds, already: r.existed };
    },

    'verify-restore': verifyRestore,

    async 'delete-restore'(action, ctx) {
      const gid = numberParam(action, 'gid');
      const path = resolve(stringParam(action, 'path'));
      const listed = (await restoredImages(ctx.host.dataDir, ctx.volumeName)).some((r) => r.gid === gid && r.path === path);
      if (!listed) return { already: true };
      await deleteRestored(ctx.host.dataDir, ctx.volumeName, gid, { path });
      await updateDriverState(ctx.host.dataDir, ctx.volumeName, (v) => {
        if (v.verified) delete v.verified[path];
      });
      return { gid, path };
    },

    replicate,
    // A sync pair's catch-up is a replication; the proxy role then joins the target to its forwarding.
    synchronize: replicate,
    // The proxy role drains and drops an archive the tree no longer gives it, on its own pass.
    async 'stop-synchronize'(action) {
      return { to: stringParam(action, 'to'), by: 'the proxy role drains its queue and drops it' };
    },

    async 'release-replica'(action, ctx) {
      const to = stringParam(action, 'to');
      return (await releaseReplica(ctx.host.dataDir, ctx.volumeName, to)) ? { to } : { to, already: true };
    },
  };
}
