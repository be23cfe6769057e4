/**
 * `restore`: a host asks an archive host for the image of volume V at gid G and writes it onto a
 * file or device of its own — what a replacement host does after a disk failure. The archive is
 * the sender: it builds the image exactly as a local restore does (archive/restore-image.ts, the base
 * checked against base.sums) and streams it; the asking host is the receiver, so it says where a
 * cut transfer resumes (its partial in `<dataDir>/wire/partial/restore-V/`), checks the stream's
 * digest, and only then writes the image onto the target with the local restore's own checks
 * (archive/overwrite-target.ts: never a mounted, held or loop-backing device, nor the volume's
 * capture device while captured, nor a target too small; an existing one only with `overwrite`).
 */
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { InputError, StateError } from '../../../../common/errors.js';
import { copyImage, writeImage } from '../../archive/addon.js';
import { ArchiveCorruptError, BusyError, GidError, WrongStateError } from '../../archive/errors.js';
import { fsyncDir, tempFor } from '../../archive/files.js';
import { checkOverwriteTarget, restoreTarget } from '../../archive/overwrite-target.js';
import { phaseReporter, type OnProgress } from '../../archive/progress.js';
import { restorableImageSize, withRestoreImage } from '../../archive/restore-image.js';
import { tryFlock } from '../../flock.js';
import type { WireClient, WirePeer } from '../client.js';
import { ProtocolError } from '../errors.js';
import { registerKind } from '../protocol/kinds.js';
import { WireReject } from '../protocol/rejects.js';
import type { TransferProgress } from '../protocol/transfers-board.js';
import { partialDir } from '../stream/partial.js';
import { receiveStream } from '../stream/receive.js';
import { sendStream } from '../stream/send.js';

export interface RestoreParams {
  gid: number;
  /** A multiple of 1 MiB (the stream's frame size). */
  checkpointBytes: number;
}

/** The archive's refusals as the wire's typed rejects (each with its one policy). */
function asReject(e: unknown): unknown {
  if (e instanceof GidError) return new WireReject('not-found', e.message);
  if (e instanceof WrongStateError) return new WireReject('wrong-state', e.message);
  if (e instanceof BusyError) return new WireReject('busy', e.message);
  if (e instanceof ArchiveCorruptError) return new WireReject('corrupt', e.message);
  return e;
}

registerKind({
  name: 'restore',
  async serve({ session, request, dataDir, board }) {
    const vol = request.volume!;
    const p = request.params as unknown as RestoreParams;
    if (!Number.isSafeInteger(p.gid) || p.gid < 0) throw new ProtocolError(session.peer, `restore: gid ${String(p.gid)} is not a gid`);
    if (!Number.isSafeInteger(p.checkpointBytes) || p.checkpointBytes <= 0 || p.checkpointBytes % (1 << 20) !== 0) throw new ProtocolError(session.peer, `restore: checkpointBytes ${String(p.checkpointBytes)} is not a positive multiple of 1 MiB`);
    const sizeBytes = await restorableImageSize(dataDir, vol, p.gid).catch((e: unknown) => Promise.reject(asReject(e)));
    await session.send({ t: 'accept', done: false, gid: p.gid, sizeBytes });
    const progress = board.begin('restore', vol, session.peer.host);
    try {
      await withRestoreImage(dataDir, vol, p.gid, {
        onProgress: (e) => Object.assign(progress, { done: e.done, total: e.total }),
        use: (image) => sendStream({ session, source: image.path, size: image.sizeBytes, checkpointBytes: p.checkpointBytes, onProgress: (done, total) => Object.assign(progress, { done, total }) }),
      }).catch((e: unknown) => Promise.reject(asReject(e)));
    } finally {
      board.end(progress);
    }
  },
});

export interface FetchRestoreOptions {
  volume: string;
  gid: number;
  /** This host's data directory: the partial lives there, and the target's checks read its storage. */
  dataDir: string;
  /** The file or block device to write; it must not exist unless `overwrite`. */
  target: string;
  overwrite?: boolean;
  checkpointBytes?: number;
  /** Phases `receive` (bytes of the stream) and `write` (onto an existing target). */
  onProgress?: OnProgress;
}

export interface FetchRestoreResult {
  gid: number;
  path: string;
  from: string;
  sizeBytes: number;
  /** Where this run's stream started: non-zero when it resumed a cut transfer. */
  resumedFrom: number;
  /** Set when the image was written over an existing file or block device. */
  overwrote?: 'file' | 'block';
  seconds: number;
}

/**
 * Restores gid `gid` of `volume` from `peer`'s archive onto `target`. Refuses a target the local
 * restore would refuse, before asking and again before writing; call it again after a LinkError,
 * FrameError or a back-off reject: the stream resumes at this host's last durable checkpoint.
 */
export async function fetchRestore(client: WireClient, peer: WirePeer, o: FetchRestoreOptions): Promise<FetchRestoreResult> {
  // One restore of a volume at a time on this host: they would share the partial.
  const dir = partialDir(o.dataDir, 'restore', o.volume);
  const lock = join(dirname(dirname(dir)), `restore-${o.volume}.lock`);
  await mkdir(dirname(lock), { recursive: true });
  const guard = await open(lock, 'a', 0o644);
  try {
    if (!tryFlock(guard.fd)) throw new StateError(`${o.volume}: another restore of it over the wire runs on this host (it holds ${lock}); wait for it to end`, { retryable: true });
    return await fetchRestoreHeld(client, peer, o, dir);
  } finally {
    await guard.close();
  }
}

async function fetchRestoreHeld(client: WireClient, peer: WirePeer, o: FetchRestoreOptions, dir: string): Promise<FetchRestoreResult> {
  const t0 = process.hrtime.bigint();
  const target = resolve(o.target);
  const overwrite = o.overwrite === true;
  await restoreTarget(o.dataDir, o.volume, target, 0, overwrite);
  const params: RestoreParams = { gid: o.gid, checkpointBytes: o.checkpointBytes ?? 64 << 20 };
  const counters = client.metrics.link(peer.host);
  const { session, accept } = await client.open(peer, { kind: 'restore', volume: o.volume, params: params as unknown as Record<string, unknown> });
  const shown = client.board.begin('restore', o.volume, peer.host);
  try {
    const sizeBytes = Number(accept.sizeBytes);
    const over = await restoreTarget(o.dataDir, o.volume, target, sizeBytes, overwrite);
    // The stream's receiver writes `done`; each write is also the caller's progress.
    const progress = new Proxy(shown, {
      set(t, k, v) {
        (t as unknown as Record<string | symbol, unknown>)[k] = v;
        if (k === 'done') o.onProgress?.({ phase: 'receive', done: Number(v), total: t.total });
        return true;
      },
    }) as TransferProgress;
    await receiveStream({
      session,
      dir,
      kind: 'restore',
      volume: o.volume,
      identity: { peer: peer.host, gid: o.gid, sizeBytes },
      size: sizeBytes,
      checkpointBytes: params.checkpointBytes,
      progress,
      commit: async (image) => {
        if (over) {
          await checkOverwriteTarget(o.dataDir, o.volume, target, sizeBytes);
          await writeImage({ source: image, target }, phaseReporter(o.onProgress, 'write'));
        } else {
          await placeNew(image, target);
        }
        return null;
      },
    });
    counters.transfersDone++;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { gid: o.gid, path: target, from: peer.host, sizeBytes, resumedFrom: shown.resumedFrom, ...(over ? { overwrote: over.kind } : {}), seconds };
  } catch (e) {
    counters.transfersFailed++;
    client.metrics.error(peer.host, (e as Error).message);
    throw e;
  } finally {
    client.board.end(shown);
    await session.close().catch(() => {});
  }
}

/** Moves the received image to a target that did not exist: a rename, or a sparse copy across file systems. */
async function placeNew(image: string, target: string): Promise<void> {
  const tmp = tempFor(target);
  try {
    await rename(image, tmp);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyImage({ source: image, target: tmp, mode: 'auto', sync: true });
  }
  // Linked only if nothing appeared there meanwhile (link fails with EEXIST where rename would replace).
  try {
    await link(tmp, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new InputError('appeared while the image was received; nothing was written over it', target);
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
  await fsyncDir(dirname(target));
}
