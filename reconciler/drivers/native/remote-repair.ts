/**
 * The repair of a hole in a primary archive's chain on another host (scan capture): the archive
 * answered (its status call's chain health) that diffs are missing after gid A — or its chain ends at
 * A, before the gid it had acknowledged holding (the outbox's base): diffs lost from its end — so nothing past A is
 * reachable there, while the storage's outbox has folded everything the archive had acknowledged —
 * the outbox ends past the hole and cannot give the image at A. The repair therefore:
 *   1. takes a snapshot into the outbox (the volume read once: the outbox now ends at a new gid G,
 *      and the storage's hash index describes G);
 *   2. asks the archive for the hash index of the newest image its chain reaches (A), with a seed
 *      chosen for this run;
 *   3. scans the outbox's image at G (a stable file, not the live volume) against that index: the
 *      bulks that differ make the compared diff |A|-->|G|;
 *   4. sends that diff; the archive installs it at the end of what its chain reaches, so G is
 *      reachable again, and G's image is the one the outbox holds: both agree from G on.
 * The diffs past the hole stay unreachable there (gids inside the hole are not restorable; the
 * archive's verify names them). Idempotent: the action is done once the archive answers no hole; a
 * run killed after step 1 leaves an outbox diff the archive cannot take (it starts past the hole)
 * and the next run snapshots again and sends |A|-->|G'|, after which the outbox folds both.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { chainHealth } from '../../../common/diff-chain.js';
import { archiveMeta, formatSnap, latestImage, observeArchive, type DiffName } from '../../../native/lib/archive/index.js';
import { scanVolume } from '../../../native/lib/archive/addon.js';
import { tempFor } from '../../../native/lib/archive/files.js';
import { snapshot, storageMeta, storagePaths } from '../../../native/lib/storage/index.js';
import { remoteArchive } from '../../../native/lib/wire/index.js';
import { endpointFor } from '../../fleet/wire-registry.js';
import { remoteHole } from '../../policy/chain-hole.js';
import type { ActionContext } from '../driver.js';
import { ActionFailedError } from '../errors.js';
import { ensureOutbox, limitsFor } from './remote-archive.js';
import { pruneOutbox } from './outbox-prune.js';

type Outcome = Record<string, string | number | boolean | null>;

export async function remoteRepair(actionId: string, ctx: ActionContext, peerName: string): Promise<Outcome> {
  const { host, volumeName: vol } = ctx;
  const peerHost = ctx.desired.hosts[peerName];
  if (!peerHost) throw new ActionFailedError(actionId, `no host ${peerName} in the tree`);
  const e = await endpointFor(host, ctx.desired);
  const status = await e.askStatus(peerHost, vol);
  const a = status.archive;
  if (!a || a.state !== 'Archived') throw new ActionFailedError(actionId, `${peerName}'s archive of ${vol} is ${a?.state ?? 'Clear'}, not Archived: the repair waits for it`, { retryable: true });
  const health = status.chain ?? chainHealth(a.base, a.diffs, a.setAside ?? []);
  const outbox = await ensureOutbox(host, vol);
  // A hole it answered, or diffs lost from its end: its chain ends before what it acknowledged.
  const staged0 = await archiveMeta(outbox, vol);
  const acknowledged = staged0 && (staged0.state === 'Archived' || staged0.state === 'Stopped') ? (staged0.base.e ?? staged0.base.b).b : undefined;
  const hole = remoteHole(health, acknowledged);
  if (!hole) return { already: true, to: peerName, contiguousTo: health.contiguousTo };
  const meta = await storageMeta(host.dataDir, vol);
  if (!meta || meta.state !== 'Target') throw new ActionFailedError(actionId, `the storage of ${vol} is ${meta?.state ?? 'absent'}: a repair needs it running (Target)`);
  const compression = ctx.volume?.wire ? { compression: ctx.volume.wire.compression } : {};

  // 1. The volume's image now, into the outbox.
  const snap = await snapshot(host.dataDir, vol, { archiveDataDir: outbox, explicit: true, ...compression });
  const staged = await observeArchive(outbox, vol);
  const timestamp = staged?.restorable.find((r) => r.gid === snap.gid)?.timestamp ?? new Date().toISOString();

  // 2. The hash index of the newest image the archive's chain reaches.
  const remote = remoteArchive({ client: e.client, peer: e.peerRef(peerHost), dataDir: host.dataDir, limits: limitsFor(host, ctx.volume), retry: { attempts: 5 } });
  const source = { uuid: meta.uuid, devicePath: meta.devicePath, sizeBytes: meta.sizeBytes, bulkSize: meta.bulkSize };
  const dir = storagePaths(host.dataDir, vol).dir;
  const index = tempFor(join(dir, 'repair.index'));
  const diffTmp = tempFor(join(dir, `repair-${snap.gid}.wdiff`));
  try {
    const hashBoard = e.sending.begin(peerName, 'hash-index', vol, 0);
    let hashedAt;
    try {
      hashedAt = await remote.latestIndex(vol, source, { indexOut: index });
    } finally {
      e.sending.end(hashBoard);
    }
    if (hashedAt.b >= snap.gid) throw new ActionFailedError(actionId, `${peerName}'s chain of ${vol} reaches ${formatSnap(hashedAt)}, not before the repair's gid ${snap.gid}: nothing to repair from`);

    // 3. The outbox's image at the new gid against it.
    const scan = await latestImage(outbox, vol, {
      use: async (img) => {
        if (img.snap.b !== snap.gid || img.snap.e !== snap.gid) throw new ActionFailedError(actionId, `the outbox of ${vol} ends at ${formatSnap(img.snap)}, not at the repair's gid ${snap.gid}`);
        return scanVolume({ source: img.path, sizeBytes: meta.sizeBytes, bulkSize: meta.bulkSize, uuid: meta.uuid, indexIn: index, diffOut: diffTmp, gidB: snap.gid, gidE: snap.gid, ...compression });
      },
    });

    // 4. The compared diff |A|-->|G| to the archive (resumable; acknowledged once installed).
    const diff: DiffName = { b: hashedAt, e: { b: snap.gid, e: snap.gid }, mergeable: false, compared: true, timestamp };
    const board = e.sending.begin(peerName, 'diff', vol, scan.diffBytes);
    let file: string;
    try {
      file = await remote.addDiff(vol, { source: diffTmp, diff, explicitEnd: true });
    } finally {
      e.sending.end(board);
    }
    const folded = await pruneOutbox(outbox, vol, snap.gid);
    return {
      to: peerName,
      repairedAfterGid: hole.after,
      from: formatSnap(hashedAt),
      gid: snap.gid,
      file,
      changedBytes: scan.changedBytes,
      diffBytes: scan.diffBytes,
      outboxFolded: folded.diffsFolded,
    };
  } finally {
    await rm(index, { force: true });
    await rm(diffTmp, { force: true });
  }
}
