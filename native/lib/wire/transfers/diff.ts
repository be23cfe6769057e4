/**
 * `diff`: one wdiff (a scan snapshot's, a hash backup's compared diff, a wdev volume's converted
 * log) into a remote archive. The archive checks that it continues its chain before accepting
 * (too-old: it has it or newer — drop; too-new: a gap — later), receives the file resumably,
 * verifies every record, adds it to the chain (archive/receive.ts's addDiff: rename, register)
 * and only then answers. The same diff again is recognised and answered `done`.
 */
import { stat } from 'node:fs/promises';

import { latestSnap } from '../../archive/chain.js';
import type { DiffName } from '../../archive/diff-name.js';
import { canApply, formatSnap } from '../../archive/gid.js';
import { addDiff } from '../../archive/receive.js';
import { archivePaths } from '../../archive/layout.js';
import { listDiffFiles } from '../../archive/volume.js';
import { verifyFile } from '../../wdiff.js';
import type { WireClient, WirePeer } from '../client.js';
import { registerKind } from '../protocol/kinds.js';
import { WireReject } from '../protocol/rejects.js';
import { dropPartial, partialDir } from '../stream/partial.js';
import { receiveStream } from '../stream/receive.js';
import type { TokenBucket } from '../stream/token-bucket.js';
import { admitArchive, admitSpace } from './admit.js';
import { pick, sendFile, type SendResult } from './send-file.js';

export interface DiffParams {
  uuid: string;
  diff: DiffName;
  explicitEnd: boolean;
  sizeBytes: number;
  checkpointBytes: number;
}

registerKind({
  name: 'diff',
  async serve({ session, request, dataDir, board }) {
    const vol = request.volume!;
    const p = request.params as unknown as DiffParams;
    const d = p.diff;
    const meta = await admitArchive(dataDir, vol);
    const dir = partialDir(dataDir, 'diff', vol);
    if (meta.state !== 'Archived') throw new WireReject('too-new', `the archive of ${vol} is ${meta.state}: it has no base yet`);
    if (meta.deviceUuid && meta.deviceUuid !== p.uuid) throw new WireReject('uuid-mismatch', `the archive of ${vol} holds device ${meta.deviceUuid}, the diff is of ${p.uuid}`);
    const diffs = await listDiffFiles(archivePaths(dataDir, vol));
    if (diffs.some((x) => x.b.b === d.b.b && x.b.e === d.b.e && x.e.b === d.e.b && x.e.e === d.e.e)) {
      await dropPartial(dir);
      await session.send({ t: 'accept', done: true });
      return;
    }
    const latest = latestSnap(meta.base.e ?? meta.base.b, diffs).snap;
    if (!canApply(latest, d)) {
      const span = `${formatSnap(d.b)}-->${formatSnap(d.e)}`;
      if (d.e.b <= latest.b) throw new WireReject('too-old', `diff ${span}: the archive of ${vol} is at ${formatSnap(latest)} already`);
      throw new WireReject('too-new', `diff ${span} does not continue the archive of ${vol}, which ends at ${formatSnap(latest)}`);
    }
    await admitSpace(dataDir, vol, p.sizeBytes);
    await session.send({ t: 'accept', done: false });
    const progress = board.begin('diff', vol, session.peer.host);
    try {
      await receiveStream({
        session,
        dir,
        kind: 'diff',
        volume: vol,
        identity: { uuid: p.uuid, diff: d, sizeBytes: p.sizeBytes },
        size: p.sizeBytes,
        checkpointBytes: p.checkpointBytes,
        progress,
        commit: async (path) => {
          try {
            await verifyFile(path);
          } catch (e) {
            throw new WireReject('digest-mismatch', `the received diff does not verify: ${(e as Error).message}`);
          }
          return addDiff(dataDir, vol, { source: path, diff: d, move: true, explicitEnd: p.explicitEnd });
        },
      });
    } finally {
      board.end(progress);
    }
  },
});

export interface SendDiffOptions {
  volume: string;
  uuid: string;
  /** The wdiff file, and its snapshots and timestamp (its name in the archive). */
  file: string;
  diff: DiffName;
  explicitEnd?: boolean;
  checkpointBytes?: number;
  limits?: readonly TokenBucket[];
  onProgress?: (done: number, total: number) => void;
}

/** Sends one diff; resolves once the archive has verified, installed and registered it. */
export async function sendDiff(client: WireClient, peer: WirePeer, o: SendDiffOptions): Promise<SendResult> {
  const sizeBytes = (await stat(o.file)).size;
  const params: DiffParams = { uuid: o.uuid, diff: o.diff, explicitEnd: o.explicitEnd ?? false, sizeBytes, checkpointBytes: o.checkpointBytes ?? 16 << 20 };
  return sendFile(client, peer, { kind: 'diff', volume: o.volume, params, source: o.file, ...pick(o) });
}
