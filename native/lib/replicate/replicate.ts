/**
 * Archive → archive replication over the wire (issue 13), on the wire's own kinds: the target says
 * where it stands (status call: state, chain, and the full backup its lineage comes from), the
 * source chooses full, diff or hash as WalB's archive does (common/replication-choice.ts), then
 *  - full: the source's image at its newest clean gid goes as the target's base (`full-backup`,
 *    resumable by offset; the base keeps the source's full-backup id, which is the lineage);
 *  - diff: each diff after the target's gid goes in order (`diff`, resumable by diff — a diff the
 *    target holds is answered `already` — and by offset inside one);
 *  - hash: the target hashes its newest image (`hash-index`, resumable), the source scans its image
 *    against that index into one compared diff and sends it (`diff`, resumable by offset: the scan is
 *    deterministic and the diff's name carries the snapshot's own time).
 * The cursor moves only after the target acknowledged (installed and registered) everything; a
 * failure is recorded on the cursor and thrown. The protocol design is in design.md beside this file.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { StateError } from '../../../common/errors.js';
import type { ObservedDiff } from '../../../common/observed.js';
import type { GidSnap } from '../../../common/observed.js';
import { chooseReplication, mergeBatches, newestClean, REPLICATION_MERGE, type ReplicationChoice } from '../../../common/replication-choice.js';
import { scanVolume } from '../archive/addon.js';
import { latestSnap, pathTo } from '../archive/chain.js';
import { parseDiffName } from '../archive/diff-name.js';
import { tempFor } from '../archive/files.js';
import { latestImage } from '../archive/latest-image.js';
import { archivePaths } from '../archive/layout.js';
import { archiveMeta, observeArchive } from '../archive/query.js';
import { confirmReplica, recordReplicaError } from '../archive/replicas.js';
import { asAction } from '../archive/volume.js';
import type { WireClient, WirePeer } from '../wire/client.js';
import type { TokenBucket } from '../wire/stream/token-bucket.js';
import { sendDiff } from '../wire/transfers/diff.js';
import { sendFullBackup } from '../wire/transfers/full-backup.js';
import { fetchHashIndex } from '../wire/transfers/hash-index.js';
import { wireStatus } from '../wire/transfers/status.js';
import { sendRun, type Count } from './send-run.js';

export interface ReplicateOptions {
  client: WireClient;
  peer: WirePeer;
  /** This (sending) archive host's data directory. */
  dataDir: string;
  volume: string;
  /** Bulk size of the hash of a hash replication (default 64 KiB). */
  bulkSize?: number;
  checkpointBytes?: number;
  limits?: readonly TokenBucket[];
  /** Codec of the diffs merged in transfer (the pair's `compression`); default: the addon's. */
  compression?: string;
  /** Limits of the merge in transfer (default WalB's: 1 GiB of diffs, 1000 files); maxMergeBytes 0 sends each diff as it is. */
  merge?: { maxMergeBytes?: number; maxMergeCount?: number };
  /** Diff batches sent and not yet acknowledged at most (default send-run.ts's PIPELINE; 1: one at a time). */
  pipeline?: number;
  onProgress?: (phase: 'full' | 'diff' | 'hash-index' | 'hash-scan' | 'hash', done: number, total: number) => void;
}

export interface ReplicateResult {
  kind: ReplicationChoice['kind'];
  fromGid: number | null;
  toGid: number | null;
  /** Transfers sent, and those the target held already (a re-run after a cut). */
  sent: number;
  already: number;
  /** Bytes the receiver already held when a transfer resumed (summed over transfers). */
  resumedBytes: number;
  /**
   * Why a transfer started again from its first byte although the target claimed a resume point
   * (the claim did not match the source): empty when every resume point offered was taken.
   */
  claimsRefused: string[];
  wireBytes: number;
  seconds: number;
}

export async function replicateArchive(o: ReplicateOptions): Promise<ReplicateResult> {
  try {
    return await run(o);
  } catch (error) {
    await recordReplicaError(o.dataDir, o.volume, o.peer.host, (error as Error).message).catch(() => {});
    throw error;
  }
}

async function run(o: ReplicateOptions): Promise<ReplicateResult> {
  const t0 = process.hrtime.bigint();
  const vol = o.volume;
  const meta = await archiveMeta(o.dataDir, vol);
  const source = await observeArchive(o.dataDir, vol);
  if (!meta || !source || source.state !== 'Archived' || !meta.deviceUuid || meta.sizeBytes === null) {
    throw new StateError(`${vol}: this archive has nothing to replicate (state ${source?.state ?? 'Clear'}): it needs a base first`);
  }
  const st = await wireStatus(o.client, o.peer, vol);
  const remote = st.archives[vol] ?? null;
  if (!remote || remote.state === 'Clear') throw new StateError(`${o.peer.host} has not initialised its archive of ${vol} yet`, { retryable: true });
  if (remote.state === 'Stopped') throw new StateError(`${o.peer.host} holds its archive of ${vol} stopped`, { retryable: true });
  const lineage = meta.fullBackupId ?? meta.uuid;
  const targetGid = remote.state === 'Archived' ? newestClean(remote) : null;
  const target = targetGid === null ? null : { uuid: st.fullBackupIds[vol] ?? lineage, gid: targetGid };
  const choice = chooseReplication({ uuid: lineage, base: source.base, diffs: source.diffs }, target, {
    ...REPLICATION_MERGE, ...o.merge,
    barriers: new Set(source.explicitSnapshots),
  });
  const out: ReplicateResult = { kind: choice.kind, fromGid: target?.gid ?? null, toGid: choice.toGid, sent: 0, already: 0, resumedBytes: 0, claimsRefused: [], wireBytes: 0, seconds: 0 };
  const count: Count = (r) => {
    if (r.outcome === 'already') out.already++;
    else out.sent++;
    out.resumedBytes += r.resumedFrom;
    if (r.claimRefused) out.claimsRefused.push(r.claimRefused);
    out.wireBytes += r.wireBytes;
  };
  const timeOf = (gid: number): string => source.restorable.find((r) => r.gid === gid)?.timestamp ?? meta.baseTimestamp ?? meta.createdAt;
  const common = { ...(o.limits ? { limits: o.limits } : {}), ...(o.checkpointBytes ? { checkpointBytes: o.checkpointBytes } : {}) };

  const explicit = new Set(source.explicitSnapshots);
  const merging = { ...REPLICATION_MERGE, ...o.merge, barriers: explicit };
  if (choice.kind === 'full') {
    const resumed = remote.state === 'Archived';
    if (resumed && st.fullBackupIds[vol] !== lineage) {
      throw new StateError(`${o.peer.host} holds ${vol} from another full backup (${st.fullBackupIds[vol] ?? 'unknown'}, this archive's is ${lineage}): reset its archive to replicate it again from scratch`);
    }
    const gid = choice.toGid;
    const base = source.base.e ? null : source.base.b;
    if (base === null) {
      // A half-done apply: the base is between two states, so the image at the gid is built and sent.
      await withImageAt(o, gid, async (path) => {
        count(await sendFullBackup(o.client, o.peer, {
          volume: vol, source: path, sizeBytes: meta.sizeBytes!, uuid: meta.deviceUuid!, snap: { b: gid, e: gid }, id: lineage, timestamp: timeOf(gid), ...common,
          ...(o.onProgress ? { onProgress: (d: number, t: number) => o.onProgress!('full', d, t) } : {}),
        }));
      });
    } else {
      // WalB's full replication: the base as it is (its own snapshot, dirty or not), then the diffs
      // from it, both while merge and apply are held off — no copy of the image is made.
      await asAction(o.dataDir, vol, {
        op: 'replicate',
        run: async () => {
          const from = resumed ? remoteSnap(remote) : base;
          if (!resumed) {
            count(await sendFullBackup(o.client, o.peer, {
              volume: vol, source: archivePaths(o.dataDir, vol).base, sizeBytes: meta.sizeBytes!, uuid: meta.deviceUuid!, snap: base, id: lineage,
              timestamp: meta.baseTimestamp ?? meta.createdAt, ...common,
              ...(o.onProgress ? { onProgress: (d: number, t: number) => o.onProgress!('full', d, t) } : {}),
            }));
          }
          const run = pathTo(from, source.diffs.map((d) => ({ ...d, ...parseDiffName(d.file)!, file: d.file, dataSize: d.dataSize })), gid);
          if (run === null) throw new StateError(`${vol}: no chain of diffs from ${from.b},${from.e} to gid ${gid} here`, { retryable: true });
          await sendRun(o, run, mergeBatches(run, merging), explicit, common, count);
        },
      });
    }
  } else if (choice.kind === 'diff') {
    // The first may start before the target's gid: a diff merged across it applies there (WalB's relation).
    const run = choice.path.map((i) => source.diffs[i]!);
    // The diffs stay put while they go: merge and apply exclude a running replication (WalB's rule).
    await asAction(o.dataDir, vol, { op: 'replicate', run: () => sendRun(o, run, mergeBatches(run, merging), explicit, common, count) });
  } else if (choice.kind === 'hash') {
    const gid = choice.toGid;
    const bulkSize = o.bulkSize ?? 64 << 10;
    const index = tempFor(join(archivePaths(o.dataDir, vol).dir, `replica-${o.peer.host}.index`));
    const diffTmp = tempFor(join(archivePaths(o.dataDir, vol).dir, `replica-${o.peer.host}.wdiff`));
    try {
      const from = await fetchHashIndex(o.client, o.peer, { volume: vol, dataDir: o.dataDir, uuid: meta.deviceUuid, sizeBytes: meta.sizeBytes, bulkSize, indexOut: index });
      // The target reached the gid since its status was read (a run killed after the target took its
      // hash diff and before this side confirmed it, whose target was still installing it when the
      // retry looked): it is there, and a diff from it to itself would be refused too-old. The
      // cursor is confirmed below, as after a sent one.
      if (from.b === gid && from.e === gid) out.already++;
      else {
        await withImageAt(o, gid, (path) =>
          scanVolume({ source: path, sizeBytes: meta.sizeBytes!, bulkSize, uuid: meta.deviceUuid!, indexIn: index, diffOut: diffTmp, gidB: gid, gidE: gid }, (d, t) => o.onProgress?.('hash-scan', d, t)),
        );
        count(await sendDiff(o.client, o.peer, {
          volume: vol, uuid: meta.deviceUuid, file: diffTmp,
          diff: { b: from, e: { b: gid, e: gid }, mergeable: false, compared: true, timestamp: timeOf(gid) },
          explicitEnd: source.explicitSnapshots.includes(gid), ...common,
          ...(o.onProgress ? { onProgress: (d: number, t: number) => o.onProgress!('hash', d, t) } : {}),
        }));
      }
    } finally {
      await rm(index, { force: true });
      await rm(diffTmp, { force: true });
    }
  }
  if (choice.kind !== 'none' || (target && choice.why === 'up-to-date')) {
    const gid = choice.kind === 'none' ? target!.gid : choice.toGid!;
    await confirmReplica(o.dataDir, vol, o.peer.host, { gid, timestamp: timeOf(gid), uuid: lineage, kind: choice.kind === 'none' ? 'diff' : choice.kind });
  }
  out.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return out;
}

/** The newest snapshot a target holds (its base, or where its diffs take it; possibly dirty). */
function remoteSnap(remote: { base: { b: GidSnap; e?: GidSnap }; diffs: readonly ObservedDiff[] }): GidSnap {
  const start = remote.base.e ?? remote.base.b;
  return latestSnap(start, remote.diffs.map((d) => ({ ...d, ...parseDiffName(d.file)!, file: d.file }))).snap;
}

/** Runs `use` with the source's image at `gid`, its newest clean snapshot (the choice sends no other). */
async function withImageAt<T>(o: ReplicateOptions, gid: number, use: (path: string) => Promise<T>): Promise<T> {
  return latestImage(o.dataDir, o.volume, {
    use: async (img) => {
      if (img.snap.b !== gid || img.snap.e !== gid) throw new StateError(`${o.volume}: the newest image is at ${img.snap.b},${img.snap.e}, not at the clean gid ${gid}: replication waits for the next clean snapshot`, { retryable: true });
      return use(img.path);
    },
  });
}

