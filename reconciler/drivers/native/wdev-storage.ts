/**
 * The native driver's storage role in `wdev` capture: the user-space WalB device (native/lib/wdev) —
 * every write is logged before it is acknowledged, snapshots are taken at the permanent lsid and the
 * logs between them shipped to the archive as diffs. Its data device is the volume's declared
 * `device.path` (a file or block device; what it holds stays and is backed up in full first), its log
 * the declared `wdev.ring` or a file in its folder. It serves `<dataDir>/wdev/<vol>/mnt/disk` (or a
 * loop device on it); it needs root and /dev/fuse, and keeps running when the daemon stops (`stop`
 * stops it).
 */
import { stat } from 'node:fs/promises';

import { backupWdev, baseWdevFor, createWdev, isServing, observeWdevStorage, serveWdev, snapshotWdev, stopWdev, wdevPaths } from '../../../native/lib/wdev/index.js';
import type { OnProgress } from '../../../native/lib/archive/index.js';
import type { ArchiveTarget } from '../../../native/lib/storage/archive-target.js';
import { remoteArchive } from '../../../native/lib/wire/index.js';
import type { ObservedStorage } from '../../../common/observed.js';
import type { PlanAction } from '../../model/plan.js';
import type { SendBoard } from '../../fleet/send-board.js';
import { endpointFor } from '../../fleet/wire-registry.js';
import type { ActionContext, ActionOutcome } from '../driver.js';
import { ActionFailedError } from '../errors.js';
import { limitsFor } from './remote-archive.js';

/**
 * Where a wdev's backups and diffs go: an archive in a data directory here, or the primary archive on
 * another host over the wire. A remote one needs no outbox: the wdev's log is its staging area — a
 * snapshot stays queued, and its log unreleased, until the peer acknowledged the diff (installed and
 * registered), so a cut or a refusal leaves it to the next snapshot or backup to send.
 */
export type WdevArchive = { archiveDataDir: string; peer?: undefined } | { archive: ArchiveTarget; peer: string; compression?: string };

export async function wdevArchive(action: PlanAction, ctx: ActionContext, peer: string | null): Promise<WdevArchive> {
  if (peer === null) return { archiveDataDir: ctx.host.dataDir };
  const peerHost = ctx.desired.hosts[peer];
  if (!peerHost) throw new ActionFailedError(action.id, `no host ${peer} in the tree`);
  const e = await endpointFor(ctx.host, ctx.desired);
  const archive = remoteArchive({ client: e.client, peer: e.peerRef(peerHost), dataDir: ctx.host.dataDir, limits: limitsFor(ctx.host, ctx.volume), retry: { attempts: 3, firstDelayMs: 500 } });
  // The diffs the log becomes are written in the volume's codec on the wire (as the scan's are).
  return { archive: onBoard(archive, e.sending, peer), peer, ...(ctx.volume?.wire ? { compression: ctx.volume.wire.compression } : {}) };
}

/** The same archive, with each transfer on the board the status page shows (`links[].transfer`). */
export function onBoard(target: ArchiveTarget, board: SendBoard, peer: string): ArchiveTarget {
  return {
    ...target,
    async fullBackup(vol, meta, t) {
      const s = board.begin(peer, 'full-backup', vol, meta.sizeBytes);
      const onProgress: OnProgress = (p) => {
        if (p.phase === 'send') [s.done, s.total] = [p.done, p.total];
        t.onProgress?.(p);
      };
      try {
        return await target.fullBackup(vol, meta, { ...t, onProgress });
      } finally {
        board.end(s);
      }
    },
    async addDiff(vol, d) {
      const s = board.begin(peer, 'diff', vol);
      try {
        return await target.addDiff(vol, d);
      } finally {
        board.end(s);
      }
    },
  };
}

function captureOptions(target: WdevArchive) {
  return target.peer === undefined ? { archiveDataDir: target.archiveDataDir } : { archive: target.archive, ...(target.compression ? { compression: target.compression } : {}) };
}

function sentTo(target: WdevArchive) {
  return target.peer === undefined ? {} : { to: target.peer };
}

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
  // The declared device is the wdev's data device (its data stays: the first backup is a full backup
  // of it); the log goes to the declared ring, else to a file in the wdev's folder.
  const ddev = typeof action.params.device === 'string' ? action.params.device : ctx.volume?.device.path;
  const ldev = typeof action.params.ring === 'string' ? action.params.ring : ctx.volume?.wdev?.ring;
  const kind = typeof action.params.deviceKind === 'string' ? action.params.deviceKind : ctx.volume?.device.kind;
  if (ddev && kind === 'block' && !(await stat(ddev).then((st) => st.isBlockDevice(), () => false))) {
    throw new ActionFailedError(action.id, `${ddev} is not a block device here (device.kind: block): create it first, or declare a file`);
  }
  const cfg = await createWdev(dataDir, ctx.volumeName, { sizeBytes, ...(ringBytes ? { ringBytes } : {}), ...(ddev ? { ddev } : {}), ...(ldev ? { ldev } : {}) });
  const served = await serveWdev(dataDir, ctx.volumeName);
  return { uuid: cfg.uuid, sizeBytes: cfg.sizeBytes, ringBytes: cfg.ringBytes, file: served.file, ddev: cfg.ddevPath ?? null, ldev: cfg.ldevPath ?? null };
}

/** Full backup the first time, hash backup after an overflow: the wdev decides from the archive. */
export async function backupWdevAction(_action: PlanAction, ctx: ActionContext, target: WdevArchive): Promise<ActionOutcome> {
  const before = await observeWdev(ctx.host.dataDir, ctx.volumeName);
  // Backed up already — unless the primary archive moved to another host that holds no base yet
  // (the tree moved it): the wdev then starts its log afresh with a full backup to that host.
  const moved = target.peer !== undefined && before.state !== 'SyncReady' && (await target.archive.state(ctx.volumeName)) === 'SyncReady';
  if (before.state !== 'SyncReady' && !before.overflow && !moved) return { already: true, state: before.state };
  await ensureServed(ctx);
  const r = await backupWdev(ctx.host.dataDir, ctx.volumeName, captureOptions(target));
  return { kind: r.kind, gid: r.gid, bytesScanned: r.bytesScanned, changedBytes: r.changedBytes, shipped: r.shipped.length, ...sentTo(target) };
}

/**
 * A base for another primary archive of a wdev whose log ships to proxies (the log is not restarted:
 * the first archive's chain goes on); done already once that archive holds one.
 */
export async function baseForArchiveAction(action: PlanAction, ctx: ActionContext, target: WdevArchive): Promise<ActionOutcome> {
  if (target.peer === undefined) throw new ActionFailedError(action.id, 'a base for another archive goes to an archive on another host (params.archive)');
  const state = await target.archive.state(ctx.volumeName);
  if (state === 'Clear') throw new ActionFailedError(action.id, `${target.peer ?? 'the archive'} has no archive of ${ctx.volumeName} yet (Clear): its own daemon initialises it first`);
  if (state !== 'SyncReady') return { already: true, state };
  await ensureServed(ctx);
  const r = await baseWdevFor(ctx.host.dataDir, ctx.volumeName, target.archive);
  return { kind: 'full', gid: r.gid, bytesScanned: r.bytesScanned, dataBytes: r.dataBytes, ...sentTo(target) };
}

export async function snapshotWdevAction(_action: PlanAction, ctx: ActionContext, target: WdevArchive): Promise<ActionOutcome> {
  const r = await snapshotWdev(ctx.host.dataDir, ctx.volumeName, { ...captureOptions(target), explicit: true });
  return r ? { gid: r.gid, lsid: r.lsid, shipped: r.shipped.length, ...sentTo(target) } : { already: true };
}

export async function startWdev(_action: PlanAction, ctx: ActionContext): Promise<ActionOutcome> {
  return (await ensureServed(ctx)) ? { served: true } : { already: true };
}

export async function stopWdevAction(_action: PlanAction, ctx: ActionContext): Promise<ActionOutcome> {
  const r = await stopWdev(ctx.host.dataDir, ctx.volumeName);
  return r.stopped ? { stopped: true } : { already: true };
}
