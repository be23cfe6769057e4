/**
 * walbctl's archive behind WalB's wdiff-transfer: the answers walb-archive gives (spec.md, in its
 * order of checks) from the archive's own state, and the received sorted wdiff added to the chain
 * (archive/receive.ts `addDiff`, moved into place, durable) before the acknowledgement. `allow`
 * decides first whether this peer may send this volume at all (the daemon: the tree's walb proxies of
 * the volume, by address); a refused one is answered `archive-not-found` and logged by the caller.
 */
import { addDiff, archivePaths } from '../../archive/index.js';
import { latestSnap } from '../../archive/chain.js';
import { listDiffFiles, liveActions, readStateOrClear } from '../../archive/volume.js';
import { relation } from './meta.js';
import type { WdiffAnswer, WdiffOffer, WdiffSink } from './wdiff-transfer.js';

export interface ArchiveSinkOptions {
  /** May `offer` (from the peer at `offer.clientId`) reach this volume? Default: yes. */
  allow?: (offer: WdiffOffer) => boolean;
  /** Told about each diff added (its file name in the archive). */
  onAdded?: (offer: WdiffOffer, file: string) => void;
}

export async function archiveAnswer(dataDir: string, offer: WdiffOffer): Promise<WdiffAnswer> {
  const paths = archivePaths(dataDir, offer.volume);
  const { state, meta } = await readStateOrClear(paths);
  if (!meta || state === 'Clear') return 'archive-not-found';
  if (state === 'Stopped') return 'stopped';
  if (state !== 'Archived') return 'syncing';
  if (liveActions(meta).some((a) => a.name === 'receive-diff')) return 'wdiff-recv';
  if (offer.hostType === 'proxy' && meta.deviceUuid && meta.deviceUuid.replace(/-/g, '') !== offer.uuid) return 'different-uuid';
  if (meta.sizeBytes !== null && meta.sizeBytes < offer.sizeLb * 512) return 'smaller-lv-size';
  const latest = latestSnap(meta.base.e ?? meta.base.b, await listDiffFiles(paths)).snap;
  const r = relation(latest, offer.diff);
  return r === 'applicable' ? 'accept' : r === 'not-applicable' ? 'too-new-diff' : r;
}

export function archiveWdiffSink(dataDir: string, options: ArchiveSinkOptions = {}): WdiffSink {
  return {
    decide: async (offer) => (options.allow && !options.allow(offer) ? 'archive-not-found' : archiveAnswer(dataDir, offer)),
    tempDir: (offer) => archivePaths(dataDir, offer.volume).dir,
    async commit(offer, path) {
      const { b, e, mergeable, compared, timestamp } = offer.diff;
      const r = await addDiff(dataDir, offer.volume, { source: path, diff: { b, e, mergeable, compared, timestamp }, move: true });
      options.onAdded?.(offer, r.file);
    },
  };
}
