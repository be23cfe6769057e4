/**
 * The storage driver's hash backup to a primary archive on another host (scan capture): the
 * storage's hash index is lost or damaged (or the storage starts over against an archive that holds
 * the volume), so the archive hashes its newest image with a seed chosen for this run (the
 * `hash-index` kind), the storage scans its volume against those hashes and sends only the bulks
 * that differ as one compared diff (the `diff` kind). native/lib/storage's `hashBackup` runs it
 * with the wire's remote archive as its target, so the commit point and the roll-forward after a
 * crash are the storage's own (`pending`): a run killed after the scan sends the same diff again and
 * the archive's partial makes the transfer resume from its last checkpoint.
 *
 * The outbox (remote-archive.ts) must go on matching what the archive holds, since later snapshots
 * are staged there: the outbox is shipped first (the archive then ends where the outbox does), and
 * the diff is added to the outbox too before it goes out. When the outbox does not end at the image
 * the archive hashed (it was lost, or the archive holds another history), nothing is scanned or sent
 * and the action says so.
 */
import { join } from 'node:path';

import { addDiff, formatSnap, observeArchive, type GidSnap } from '../../../native/lib/archive/index.js';
import { latestSnap } from '../../../native/lib/archive/chain.js';
import { hashBackup, observeStorage } from '../../../native/lib/storage/index.js';
import type { ArchiveTarget } from '../../../native/lib/storage/archive-target.js';
import { remoteArchive } from '../../../native/lib/wire/index.js';
import { endpointFor } from '../../fleet/wire-registry.js';
import type { ActionContext } from '../driver.js';
import { ActionFailedError } from '../errors.js';
import { ensureOutbox, limitsFor, ship } from './remote-archive.js';

type Outcome = Record<string, string | number | boolean | null>;

/** Where the outbox's chain ends (its newest snapshot), or null when it holds no base. */
async function outboxEnd(dir: string, vol: string): Promise<GidSnap | null> {
  const a = await observeArchive(dir, vol);
  if (!a || (a.state !== 'Archived' && a.state !== 'Stopped')) return null;
  return latestSnap(a.base.e ?? a.base.b, a.diffs).snap;
}

export async function remoteHashBackup(actionId: string, ctx: ActionContext, peerName: string): Promise<Outcome> {
  const { host, volumeName: vol } = ctx;
  const s = await observeStorage(host.dataDir, vol);
  if (s && s.state === 'Target' && !s.overflow) return { already: true, state: s.state };
  const peerHost = ctx.desired.hosts[peerName];
  if (!peerHost) throw new ActionFailedError(actionId, `no host ${peerName} in the tree`);
  const outbox = await ensureOutbox(host, vol);
  // Bring the archive to where the outbox ends, so that both hold the image the archive hashes.
  const shipped = (await outboxEnd(outbox, vol)) ? await ship(actionId, ctx, peerName) : null;
  const e = await endpointFor(host, ctx.desired);
  const remote = remoteArchive({ client: e.client, peer: e.peerRef(peerHost), dataDir: host.dataDir, limits: limitsFor(host, ctx.volume), retry: { attempts: 5 } });
  let hashedAt: GidSnap | null = null;
  const target: ArchiveTarget = {
    ...remote,
    async latestIndex(v, meta, o) {
      const board = e.sending.begin(peerName, 'hash-index', v, 0);
      try {
        hashedAt = await remote.latestIndex(v, meta, o);
      } finally {
        e.sending.end(board);
      }
      const end = await outboxEnd(outbox, v);
      if (!end || end.b !== hashedAt.b || end.e !== hashedAt.e) {
        throw new ActionFailedError(actionId, `${peerName}'s newest image of ${v} is ${formatSnap(hashedAt)} but the outbox in ${join(outbox, v)} ${end ? `ends at ${formatSnap(end)}` : 'holds no base'}: a hash backup to ${peerName} would leave the outbox behind; reset the archive there (walbctl archive reset) for a full backup`);
      }
      return hashedAt;
    },
    async addDiff(v, d) {
      // Staged first (a copy; idempotent), then sent (which consumes the file): a crash between the
      // two re-runs both, and each recognises what it holds already.
      await addDiff(outbox, v, { source: d.source, diff: d.diff, explicitEnd: d.explicitEnd, move: false });
      const board = e.sending.begin(peerName, 'diff', v, 0);
      try {
        return await remote.addDiff(v, d);
      } finally {
        e.sending.end(board);
      }
    },
  };
  const r = await hashBackup(host.dataDir, vol, { archive: target, ...(ctx.volume?.wire ? { compression: ctx.volume.wire.compression } : {}) });
  return {
    to: peerName,
    gid: r.gid,
    from: hashedAt ? formatSnap(hashedAt) : null,
    changedBytes: r.changedBytes,
    diffBytes: r.diffBytes,
    seconds: r.seconds,
    ...(shipped ? { baseSent: shipped.base, diffsSent: shipped.diffs } : {}),
  };
}
