/**
 * `diff`: one wdiff (a scan snapshot's, a hash backup's compared diff, a wdev volume's converted
 * log) into a remote archive. The archive checks that it continues its chain before accepting
 * (too-old: it has it or newer — drop; too-new: a gap — later), receives the file resumably,
 * verifies every record, adds it to the chain (archive/receive.ts's addDiff: rename, register)
 * and only then answers. The same diff again is recognised and answered `done`. A diff that
 * continues one still being received is taken in and installed after it (diff-queue.ts): a sender
 * may pipeline its diffs, each in its own partial.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { latestSnap } from '../../archive/chain.js';
import type { DiffName } from '../../archive/diff-name.js';
import { canApply, formatSnap } from '../../archive/gid.js';
import { ChainRelationError } from '../../archive/errors.js';
import { addDiff, chainRelation } from '../../archive/receive.js';
import { archivePaths } from '../../archive/layout.js';
import { listDiffFiles } from '../../archive/volume.js';
import { verifyFile } from '../../wdiff.js';
import { WdiffStreamCheck } from '../../wdiff-check.js';
import type { WireClient, WirePeer } from '../client.js';
import { registerKind } from '../protocol/kinds.js';
import { WireReject } from '../protocol/rejects.js';
import { dropPartial, partialDir, partialRoot } from '../stream/partial.js';
import { receiveStream } from '../stream/receive.js';
import type { TokenBucket } from '../stream/token-bucket.js';
import { admitArchive, admitSpace } from './admit.js';
import { wdiffRecordsCompressed } from './diff-codec.js';
import { enqueue, queuedBefore, queuedSame, receiving } from './diff-queue.js';
import { pick, sendFile, type SendResult } from './send-file.js';

export interface DiffParams {
  uuid: string;
  diff: DiffName;
  explicitEnd: boolean;
  sizeBytes: number;
  checkpointBytes: number;
}

/** Diffs checked as they arrive and written direct; WALBCTL_DIFF_STREAM_CHECK=0: read back at commit, buffered. */
const STREAM_CHECK = process.env.WALBCTL_DIFF_STREAM_CHECK !== '0';

/** How long a request waits for the same diff's transfer already under way here before answering busy. */
const TWIN_WAIT_MS = 15_000;

registerKind({
  name: 'diff',
  async serve({ session, request, dataDir, board }) {
    const vol = request.volume!;
    const p = request.params as unknown as DiffParams;
    const d = p.diff;
    const span = `${formatSnap(d.b)}-->${formatSnap(d.e)}`;
    const meta = await admitArchive(dataDir, vol, ['receive-diff']);
    const dir = diffPartialDir(dataDir, vol, d);
    if (meta.state !== 'Archived') throw new WireReject('too-new', `the archive of ${vol} is ${meta.state}: it has no base yet`);
    if (meta.deviceUuid && meta.deviceUuid !== p.uuid) throw new WireReject('uuid-mismatch', `the archive of ${vol} holds device ${meta.deviceUuid}, the diff is of ${p.uuid}`);
    // The same diff arriving on another connection (a sender's retry while its cut link is not yet
    // declared dead here, or a proxy and a replication at once): wait for that one to end.
    const lineage = { uuid: p.uuid, fullBackupId: meta.fullBackupId };
    const twin = queuedSame(dataDir, vol, d, lineage);
    if (twin?.state === 'receiving') {
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), TWIN_WAIT_MS).unref());
      if ((await Promise.race([twin.settled, timer])) === 'timeout') throw new WireReject('busy', `diff ${span} of ${vol} is being received on another connection`);
    }
    const diffs = await listDiffFiles(archivePaths(dataDir, vol), { sizes: false }); // names only: a stat per diff made each diff O(diffs held)
    // From here to enqueue no await: what the checks saw is what the queue holds.
    const again = queuedSame(dataDir, vol, d, lineage);
    if (diffs.some((x) => x.b.b === d.b.b && x.b.e === d.b.e && x.e.b === d.e.b && x.e.e === d.e.e) || again?.state === 'installed') {
      await dropPartial(dir);
      await session.send({ t: 'accept', done: true });
      return;
    }
    if (again) throw new WireReject('busy', `diff ${span} of ${vol} is being received on another connection`);
    const latest = latestSnap(meta.base.e ?? meta.base.b, diffs).snap;
    // A diff that continues one still being received (a sender pipelining its diffs) is taken in now
    // and installed after that one.
    const before = canApply(latest, d) ? null : (queuedBefore(dataDir, vol, d, lineage) ?? null);
    if (!canApply(latest, d) && !before) throw asReject(chainRelation(vol, latest, d));
    const ticket = enqueue(dataDir, vol, d, lineage, before);
    try {
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
          // Each record is checked as it arrives (wdiff-check.ts), the commit does not read the diff
          // back, and the diff is written direct like any stream. (An opt-in for a while on
          // 2026-12-06: its faster commit exposed a race — a hash backup's compared diff installed
          // over an image the archive had moved past — that canApply now refuses, base-moved.)
          // WALBCTL_DIFF_STREAM_CHECK=0: buffered, and the verify reads the diff back.
          direct: STREAM_CHECK,
          ...(STREAM_CHECK ? { check: (path: string) => new WdiffStreamCheck(path, p.sizeBytes) } : {}),
          commit: async (path, { check }) => {
            try {
              // Every record's checksum covers its stored (compressed) bytes: checking them shows the
              // file is the sender's without decompressing it (apply and verify decode it later).
              // A stream that resumed, or an indexed wdiff, is read back instead.
              const seen = check?.finish();
              if (!seen?.checked) await verifyFile(path, { decode: false });
            } catch (e) {
              throw new WireReject('digest-mismatch', `the received diff does not verify: ${(e as Error).message}`);
            }
            // Verified while the diff before it installed; it installs only once that one did.
            if (ticket.after && !(await ticket.after)) throw new WireReject('too-new', `diff ${span}: the diff before it did not install in the archive of ${vol}; it is kept here to resume`);
            // The chain may have moved while this one arrived (another source's diff landed first):
            // addDiff checks again under the archive's lock, and its refusal goes back typed.
            const added = await addDiff(dataDir, vol, { source: path, diff: d, move: true, explicitEnd: p.explicitEnd }).catch(async (e: unknown) => {
              if (!(e instanceof ChainRelationError)) throw e;
              // The chain passed it (too-old) or its base moved (base-moved): it never applies here,
              // so its partial goes now (a too-new one stays, to resume once the gap is filled).
              if (e.relation !== 'too-new') await dropPartial(dir);
              throw asReject(e);
            });
            ticket.settle(true);
            return added;
          },
        });
      } finally {
        board.end(progress);
      }
    } finally {
      ticket.settle(false);
    }
    await dropStalePartials(dataDir, vol, d.e.b);
  },
});

/** The wire's reject for a diff that does not continue the archive's chain. */
function asReject(e: ChainRelationError): WireReject {
  return new WireReject(e.relation, e.message);
}

/** Each diff streams into a partial of its own, so the next one can arrive while one is committed. */
export function diffPartialDir(dataDir: string, volume: string, d: DiffName): string {
  return partialDir(dataDir, 'diff', `${volume}.${d.b.b}-${d.b.e}-${d.e.b}-${d.e.e}`);
}

/**
 * Removes the partials of the volume's diffs that end at or before `gid` (the chain has passed
 * them: a diff merged differently, or sent by another host, got there first) and are not being
 * received now; and the one partial of the layout before per-diff partials.
 */
async function dropStalePartials(dataDir: string, volume: string, gid: number): Promise<void> {
  const prefix = `diff-${volume}.`;
  const busy = new Set(receiving(dataDir, volume).map((x) => `${x.b.b}-${x.b.e}-${x.e.b}-${x.e.e}`));
  const names = await readdir(partialRoot(dataDir)).catch(() => [] as string[]);
  for (const n of names) {
    const m = n.startsWith(prefix) ? /^(\d+)-(\d+)-(\d+)-(\d+)$/.exec(n.slice(prefix.length)) : null;
    const stale = n === `diff-${volume}` || (m !== null && Number(m[3]) <= gid && !busy.has(n.slice(prefix.length)));
    if (stale) await dropPartial(join(partialRoot(dataDir), n));
  }
}

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
  /** Called once its bytes are out and the archive is verifying and installing it: the next diff may start. */
  onSent?: () => void;
}

/** Sends one diff; resolves once the archive has verified, installed and registered it. */
export async function sendDiff(client: WireClient, peer: WirePeer, o: SendDiffOptions): Promise<SendResult> {
  const sizeBytes = (await stat(o.file)).size;
  const params: DiffParams = { uuid: o.uuid, diff: o.diff, explicitEnd: o.explicitEnd ?? false, sizeBytes, checkpointBytes: o.checkpointBytes ?? 16 << 20 };
  // Records compressed already go as they are (diff-codec.ts): a second compression costs both ends
  // CPU for a few per cent of the bytes.
  const compress = !(await wdiffRecordsCompressed(o.file));
  return sendFile(client, peer, { kind: 'diff', volume: o.volume, params, source: o.file, compress, ...pick(o) });
}
