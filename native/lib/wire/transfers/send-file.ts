/**
 * The sender's side of every file-carrying kind: open the request, stop early when the receiver
 * holds it already, else stream the file resumably; count the outcome on the link.
 */
import type { WireClient, WirePeer } from '../client.js';
import { PacingTable } from '../stream/compress-pacing.js';
import { sendStream } from '../stream/send.js';
import type { ByteSource } from '../stream/source.js';
import type { TokenBucket } from '../stream/token-bucket.js';

export interface SendResult {
  /** `sent`, or `already` when the receiver held it already (a re-run). */
  outcome: 'sent' | 'already';
  resumedFrom: number;
  claimRefused: string | null;
  wireBytes: number;
  sentBytes: number;
  seconds: number;
  /** What the receiver's kind answered at commit. */
  result: unknown;
}

export interface SendFileOptions {
  kind: string;
  volume: string;
  params: { sizeBytes: number; checkpointBytes: number };
  source: string;
  /** Opens the bytes to send instead of the file `source` (stream/source.ts). */
  open?: () => Promise<ByteSource>;
  limits?: readonly TokenBucket[];
  /** False: data frames go uncompressed (the file's content is compressed already). */
  compress?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Called once the data and the commit are out and the receiver is installing (stream/send.ts). */
  onSent?: () => void;
}

/** One pacing per peer, kind and volume: what one stream learnt about compressing its data, the next starts from. */
const pacings = new PacingTable();

export async function sendFile(client: WireClient, peer: WirePeer, o: SendFileOptions): Promise<SendResult> {
  const t0 = process.hrtime.bigint();
  const secs = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  const link = client.metrics.link(peer.host);
  const { session, accept } = await client.open(peer, { kind: o.kind, volume: o.volume, params: o.params as unknown as Record<string, unknown> });
  const progress = client.board.begin(o.kind, o.volume, peer.host);
  try {
    if (accept.done) return { outcome: 'already', resumedFrom: 0, claimRefused: null, wireBytes: 0, sentBytes: 0, seconds: secs(), result: null };
    const r = await sendStream({
      session,
      source: o.source,
      ...(o.open ? { open: o.open } : {}),
      size: o.params.sizeBytes,
      checkpointBytes: o.params.checkpointBytes,
      ...(o.limits ? { limits: o.limits } : {}),
      ...(o.compress === false ? { compress: false } : { pacing: pacings.for(peer.host, o.kind, o.volume) }),
      ...(o.onSent ? { onSent: o.onSent } : {}),
      onProgress: (done, total) => {
        progress.done = done;
        progress.total = total;
        o.onProgress?.(done, total);
      },
    });
    link.transfersDone++;
    return { outcome: 'sent', resumedFrom: r.resumedFrom, claimRefused: r.claimRefused, wireBytes: r.wireBytes, sentBytes: r.sentBytes, seconds: secs(), result: r.result };
  } catch (e) {
    link.transfersFailed++;
    client.metrics.error(peer.host, (e as Error).message);
    throw e;
  } finally {
    client.board.end(progress);
    await session.close().catch(() => {});
  }
}

/** The optional limits and callbacks of a send's options, passed on only when set. */
export function pick(o: { limits?: readonly TokenBucket[]; onProgress?: (done: number, total: number) => void; onSent?: () => void }): Pick<SendFileOptions, 'limits' | 'onProgress' | 'onSent'> {
  return { ...(o.limits ? { limits: o.limits } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.onSent ? { onSent: o.onSent } : {}) };
}
