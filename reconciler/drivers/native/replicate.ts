/**
 * The native driver's `replicate`: this archive host brings a replica on another host to its newest
 * clean snapshot over the wire (native/lib/replicate: full, diff or hash, as the target's answer to
 * the status call decides; diffs merged in transfer are written with the pair's compression), within the host's, the volume's and the pair's bandwidth limits, retried
 * with back-off while the failure is one the wire says is worth retrying; every retry resumes.
 */
import { replicateArchive } from '../../../native/lib/replicate/replicate.js';
import { TokenBucket, withRetries } from '../../../native/lib/wire/index.js';
import { endpointFor } from '../../fleet/wire-registry.js';
import type { ActionMethod } from '../driver.js';
import { ActionFailedError } from '../errors.js';
import { stringParam } from '../params.js';
import { limitsFor } from './remote-archive.js';

const pairBuckets = new Map<string, TokenBucket>();

export const replicate: ActionMethod = async (action, ctx) => {
  const to = stringParam(action, 'to');
  const peerHost = ctx.desired.hosts[to];
  if (!peerHost) throw new ActionFailedError(action.id, `no host ${to} in the tree`);
  const e = await endpointFor(ctx.host, ctx.desired);
  const limits = limitsFor(ctx.host, ctx.volume);
  const rate = typeof action.params.bandwidthLimitBytes === 'number' ? action.params.bandwidthLimitBytes : null;
  if (rate) {
    const key = `${ctx.host.name}/${ctx.volumeName}->${to}`;
    let b = pairBuckets.get(key);
    if (!b || b.rate !== rate) pairBuckets.set(key, (b = new TokenBucket(rate)));
    limits.push(b);
  }
  const compression = typeof action.params.compression === 'string' ? action.params.compression : undefined;
  const r = await withRetries(
    () => replicateArchive({ client: e.client, peer: e.peerRef(peerHost), dataDir: ctx.host.dataDir, volume: ctx.volumeName, ...(limits.length ? { limits } : {}), ...(compression ? { compression } : {}) }),
    { attempts: 4, firstDelayMs: 500, maxDelayMs: 4000 },
  );
  return { to, kind: r.kind, fromGid: r.fromGid, toGid: r.toGid, sent: r.sent, already: r.already, resumedBytes: r.resumedBytes, wireBytes: r.wireBytes, seconds: r.seconds };
};
