/**
 * The native driver's storage role in `wdev` capture: the user-space WalB device (native/lib/wdev) —
 * every write is logged before it is acknowledged, snapshots are taken at the permanent lsid and the
 * logs between them shipped to the archive as diffs. The wdev serves its own file
 * (`<dataDir>/wdev/<vol>/mnt/disk`, or a loop device on it); it needs root and /dev/fuse, and the
 * wdev keeps running when the daemon stops (`stop` stops it).
 */
import { stat } from 'node:fs/promises';

import { backupWdev, createWdev, isServing, observeWdevStorage, serveWdev, snapshotWdev, stopWdev, wdevPaths } from '../../../native/lib/wdev/index.js';
import type { ObservedStorage } from '../../../common/observed.js';
import type { PlanAction } from '../../model/plan.js';
import type { ActionContext, ActionOutcome } from '../driver.js';
import { ActionFailedError } from '../errors.js';

/** Is `vol` a wdev volume here (its configuration exists)? */
export async function isWdevVolume(dataDir: string, vol: string): Promise<boolean> {
  return stat(wdevPaths(dataDir, vol).config).then(
    () => true,
    () => false,
  );
}

export function observeWdev(dataDir: string, vol: string): Promise<ObservedStorage> {
  return observeWdevStorage(dataDir, vol);
}

async function serving(ctx: ActionContext): Promise<boolean> {
  return (await isServing(wdevPaths(ctx.host.dataDir, ctx.volumeName))) !== null;
}

async function ensureServed(ctx: ActionContext): Promise<boolean> {
  if (await serving(ctx)) return false;
  await serveWdev(ctx.host.dataDir, ctx.volumeName);
  return true;
}

export async function initWdev(action: PlanAction, ctx: ActionContext): Promise<ActionOutcome> {
  const { dataDir } = ctx.host;
  if (await isWdevVolume(dataDir, ctx.volumeName)) return { already: true, served: await ensureServed(ctx) };
  const sizeBytes = typeof action.params.sizeBytes === 'number' ? action.params.sizeBytes : ctx.volume?.device.sizeBytes;
  if (sizeBytes === undefined) throw new ActionFailedError(action.id, 'no size for the wdev (params.sizeBytes)');
  const ringBytes = ctx.host.roleSettings?.storage?.wlogSizeBytes;
  const cfg = await createWdev(dataDir, ctx.volumeName, { sizeBytes, ...(ringBytes ? { ringBytes } : {}) });
  const served = await serveWdev(dataDir, ctx.volumeName);
  return { uuid: cfg.uuid, sizeBytes: cfg.sizeBytes, ringBytes: cfg.ringBytes, file: served.file };
}

/** Full backup the first time, hash backup after an overflow: the wdev decides from the archive. */
export async function backupWdevAction(_action: PlanAction, ctx: ActionContext, archiveDataDir: string): Promise<ActionOutcome> {
  const before = await observeWdev(ctx.host.dataDir, ctx.volumeName);
  if (before.state !== 'SyncReady' && !before.overflow) return { already: true, state: before.state };
  await ensureServed(ctx);
  const r = await backupWdev(ctx.host.dataDir, ctx.volumeName, { archiveDataDir });
  return { kind: r.kind, gid: r.gid, bytesScanned: r.bytesScanned, changedBytes: r.changedBytes, shipped: r.shipped.length };
}

export async function snapshotWdevAction(_action: PlanAction, ctx: ActionContext, archiveDataDir: string): Promise<ActionOutcome> {
  const r = await snapshotWdev(ctx.host.dataDir, ctx.volumeName, { archiveDataDir, explicit: true });
  return r ? { gid: r.gid, lsid: r.lsid, shipped: r.shipped.length } : { already: true };
}

export async function startWdev(_action: PlanAction, ctx: ActionContext): Promise<ActionOutcome> {
  return (await ensureServed(ctx)) ? { served: true } : { already: true };
}

export async function stopWdevAction(_action: PlanAction, ctx: ActionContext): Promise<ActionOutcome> {
  const r = await stopWdev(ctx.host.dataDir, ctx.volumeName);
  return r.stopped ? { stopped: true } : { already: true };
}
