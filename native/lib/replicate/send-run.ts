/**
 * Sends a contiguous run of diffs in order, batch by batch, pipelined: a batch of one diff goes as
 * it is; a longer one is merged in transfer (WalB's replicate merges) into a temporary wdiff beside
 * the archive's diffs, named by its span and its last snapshot's time, sent and removed. The next
 * batch is prepared (merged) while one streams, and starts streaming as soon as the one before it
 * is out — while the target verifies and installs that one (the `diff` kind installs them in order,
 * wire/transfers/diff-queue.ts). At most PIPELINE batches (and PIPELINE_TEMP_BYTES of merged ones) await their acknowledgement; results are
 * counted in order, and the run fails with the first failure in order, after every batch under way
 * has ended. Merging the same diffs again gives the same bytes, so a cut batch resumes by offset
 * like a single diff; a batch whose predecessor failed keeps its partial there and resumes too.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { StateError } from '../../../common/errors.js';
import type { ObservedDiff } from '../../../common/observed.js';
import type { DiffBatch } from '../../../common/replication-choice.js';
import { parseDiffName, type DiffName } from '../archive/diff-name.js';
import { tempFor } from '../archive/files.js';
import { formats } from '../archive/formats.js';
import { archivePaths } from '../archive/layout.js';
import { wdiffUuid } from '../archive/uuid.js';
import { mapAddonError } from '../archive/wdiff-errors.js';
import { sendDiff } from '../wire/transfers/diff.js';
import type { SendResult } from '../wire/transfers/send-file.js';
import type { ReplicateOptions } from './replicate.js';

/**
 * Batches sent and not yet acknowledged (installed and registered by the target) at most. Each
 * acknowledgement waits for the target's fsync, check and install of its batch (0.3-1 s for a
 * 100 MiB diff on the bench's VM): with 3 the sender stalled behind them (1 GiB of diffs at load 4:
 * 161 / 171 MB/s with 3, 197 / 301 MB/s with 8; design.md).
 */
export const PIPELINE = 8;
/** Bytes of merged batches (temporary files beside the diffs) awaiting acknowledgement at most. */
export const PIPELINE_TEMP_BYTES = 2 ** 31;

export type Count = (r: { outcome: 'sent' | 'already'; resumedFrom: number; wireBytes: number; claimRefused?: string | null }) => void;

interface Prepared {
  file: string;
  /** Bytes of the temporary file of a merged batch (0 for a diff sent as it is). */
  tempBytes: number;
  uuid: string;
  diff: DiffName;
  explicitEnd: boolean;
  /** Removes a merged batch's temporary file. */
  drop: () => Promise<void>;
}

export async function sendRun(o: ReplicateOptions, run: readonly ObservedDiff[], batches: readonly DiffBatch[], explicit: ReadonlySet<number>, common: object, count: Count): Promise<void> {
  const dir = archivePaths(o.dataDir, o.volume).dir;
  const prepare = async (i: number): Promise<Prepared> => {
    const b = batches[i]!;
    const diffs = run.slice(b.from, b.to + 1);
    const last = diffs.at(-1)!;
    const names = diffs.map((d) => {
      const n = parseDiffName(d.file);
      if (!n) throw new StateError(`${o.volume}: diff file ${d.file} has no WalB name`);
      return n;
    });
    const explicitEnd = explicit.has(last.e.b) && last.e.b === last.e.e;
    if (diffs.length === 1) {
      const file = join(dir, last.file);
      return { file, tempBytes: 0, uuid: await wdiffUuid(file), diff: names[0]!, explicitEnd, drop: async () => {} };
    }
    const uuid = await wdiffUuid(join(dir, diffs[0]!.file));
    // One temporary name per batch: the next batch is merged while this one streams.
    const tmp = tempFor(join(dir, `replica-${o.peer.host}-${i}.wdiff`));
    const drop = () => rm(tmp, { force: true });
    try {
      await (await formats()).mergeDiffs(diffs.map((d) => join(dir, d.file)), tmp, { uuid, ...(o.compression ? { compression: o.compression } : {}) });
    } catch (error) {
      await drop();
      throw mapAddonError(error);
    }
    const diff = { b: names[0]!.b, e: names.at(-1)!.e, mergeable: names[0]!.mergeable, compared: false, timestamp: names.at(-1)!.timestamp };
    return { file: tmp, tempBytes: (await stat(tmp)).size, uuid, diff, explicitEnd, drop };
  };

  const waiting: { batch: number; result: Promise<SendResult>; ended: boolean; tempBytes: number }[] = [];
  let tempBytes = 0;
  let failure: unknown = null;
  let done = 0;
  // Takes the oldest acknowledgement: counted in order; the first failure stops new sends.
  const settleOldest = async (): Promise<void> => {
    const w = waiting.shift()!;
    tempBytes -= w.tempBytes;
    try {
      const r = await w.result;
      if (failure === null) {
        count(r);
        const b = batches[w.batch]!;
        done += b.to - b.from + 1;
        o.onProgress?.('diff', done, run.length);
      }
    } catch (error) {
      failure ??= error;
    }
  };

  let next: Promise<Prepared> | null = batches.length > 0 ? prepare(0) : null;
  next?.catch(() => {});
  for (let i = 0; i < batches.length && failure === null; i++) {
    let p: Prepared;
    try {
      p = await next!;
    } catch (error) {
      failure ??= error;
      break;
    }
    next = i + 1 < batches.length ? prepare(i + 1) : null;
    next?.catch(() => {});
    let sent!: () => void;
    const out = new Promise<void>((r) => (sent = r));
    const result = sendDiff(o.client, o.peer, { volume: o.volume, uuid: p.uuid, file: p.file, diff: p.diff, explicitEnd: p.explicitEnd, ...common, onSent: sent }).finally(p.drop);
    const w = { batch: i, result, ended: false, tempBytes: p.tempBytes };
    tempBytes += p.tempBytes;
    result.then(() => void (w.ended = true), () => void (w.ended = true));
    waiting.push(w);
    // The next batch starts once this one's bytes are out (or it ended: answered done, or failed).
    await Promise.race([out, result.then(() => {}, () => {})]);
    while (waiting.length >= Math.max(1, o.pipeline ?? PIPELINE) || tempBytes > PIPELINE_TEMP_BYTES || (waiting.length > 0 && waiting[0]!.ended)) await settleOldest();
  }
  // A batch prepared and never sent: its temporary file goes.
  if (next) await next.then((p) => p.drop(), () => {});
  while (waiting.length > 0) await settleOldest();
  if (failure !== null) throw failure;
}
