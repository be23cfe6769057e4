/**
 * Replication pairs, planned on the sending archive host: `async` pairs replicate once per schedule
 * run when the replica is behind (at once when it holds no copy yet), with the kind WalB's archive
 * would choose (full, diff or hash, common/replication-choice.ts) predicted from the replica's cursor
 * and the chain this plan leaves; `sync` pairs are synchronized once (the proxies then forward every
 * diff to the receiver too). An archive that stopped being a primary hands over to the new primary
 * it replicated to (one last replication, so nothing it holds is lost), and a cursor no declared pair
 * owns is released. A proxy forwarding to a host that is neither a primary archive nor the receiver of
 * a sync pair is told to stop.
 */
import type { DesiredVolume } from '../model/desired.js';
import type { GidSnap, ObservedArchive, ObservedDiff, ObservedProxy } from '../../common/observed.js';
import { chooseReplication, REPLICATION_MERGE, type ReplicationChoice } from '../../common/replication-choice.js';
import { DEFAULTS } from '../desired/defaults.js';
import { formatBytes } from '../util/size.js';
import type { HoldDecision } from './replica-hold.js';
import { describeSchedule, fireFor, scheduleDue } from './schedule.js';
import type { Step } from './step.js';
import { toMs } from './time.js';

/** Why `synchronize` and `stop-synchronize` wait: nothing any more — the sync pair's catch-up runs on the
 *  replicate transfer, and the proxy role adds a synchronized target to its forwarding (and drains and
 *  drops one the tree no longer pairs) itself. */
export const SYNC_BLOCKED: string | null = null;

/** Why `replicate` waits: nothing any more — the replicate transfer runs on the wire. */
export const REPLICATE_BLOCKED: string | null = null;

export interface ReplicationInput {
  host: string;
  volume: DesiredVolume;
  /** This host's archive of the volume (Archived), or undefined when it holds none. */
  archive: ObservedArchive | undefined;
  proxy: ObservedProxy | undefined;
  /** Newest clean gid the archive holds. */
  newestGid: number | null;
  /** The archive's chain as this plan's apply and merges leave it (the replicate runs after them). */
  chain?: { base: GidSnap; diffs: readonly ObservedDiff[] };
  /** Replicas held, let go and released (archive-data.ts); absent when the archive is not ready. */
  hold?: HoldDecision;
  now: number;
}

export interface ReplicationPlan {
  steps: Step[];
  /** Next fire time of each async pair sending from this host. */
  upcoming: number[];
}

export function replicationSteps(input: ReplicationInput): ReplicationPlan {
  const { volume, archive, now } = input;
  const steps: Step[] = [];
  const upcoming: number[] = [];
  const explicit = new Set(archive?.explicitSnapshots ?? []);
  for (const pair of volume.replication) {
    if (pair.from !== input.host || !archive || input.newestGid === null) continue;
    const params = { to: pair.to, compression: pair.compression, bandwidthLimitBytes: pair.bandwidthLimitBytes };
    if (pair.mode === 'sync') {
      // WalB's synchronize: replicate until the target holds what this archive holds; the volume's
      // proxies then forward every new diff to it too (the proxy role joins it once it holds the
      // volume). While it lags — before it joined, or a gap while it did — each pass catches it up.
      if (input.proxy?.archives.includes(pair.to)) continue;
      const cursor = archive.replicas[pair.to];
      if (cursor && cursor.gid >= input.newestGid) continue;
      const choice = cursor ? predict(input, { uuid: cursor.uuid ?? archive.lineage ?? archive.uuid, gid: cursor.gid }, explicit) : null;
      if (choice?.kind === 'none') continue;
      steps.push({
        kind: 'synchronize', key: pair.to,
        params: { ...params, method: choice?.kind ?? null, fromGid: cursor?.gid ?? null, toGid: input.newestGid },
        reason: cursor
          ? `sync replication to ${pair.to} is declared and it is at gid ${cursor.gid}, behind gid ${input.newestGid}: one replication catches it up (${describeChoice(choice!)}), then the proxies forward every diff to it`
          : `sync replication to ${pair.to} is declared and it holds no copy confirmed from here: one replication catches it up, then the proxies forward every diff to it`,
        blocked: SYNC_BLOCKED,
      });
      continue;
    }
    const replica = archive.replicas[pair.to];
    if (!replica) {
      steps.push({
        kind: 'replicate', key: pair.to,
        params: { ...params, method: null, fromGid: null, toGid: input.newestGid },
        reason: `${pair.to} holds no copy confirmed from here: it says what it holds when the transfer starts, and gets a full replication (nothing, or another lineage) or the rest from there`,
        blocked: REPLICATE_BLOCKED,
      });
      continue;
    }
    const schedule = pair.schedule ?? { kind: 'every' as const, everySeconds: 3600 };
    const decision = scheduleDue(fireFor(schedule), { last: replica.replicatedAt ? toMs(replica.replicatedAt) : null, now });
    upcoming.push(decision.nextAt);
    if (!decision.due || replica.gid >= input.newestGid) continue;
    const choice = predict(input, { uuid: replica.uuid ?? archive.lineage ?? archive.uuid, gid: replica.gid }, explicit);
    if (choice.kind === 'none') continue;
    const catchUp = decision.missed > 1 ? ` (${decision.missed >= 1000 ? 'over 1000' : decision.missed} runs missed: one catch-up run)` : '';
    steps.push({
      kind: 'replicate', key: pair.to,
      params: { ...params, method: choice.kind, fromGid: replica.gid, toGid: choice.toGid },
      reason: `${pair.to} is at gid ${replica.gid}, behind gid ${input.newestGid}, and ${describeSchedule(schedule)} is due${catchUp}; ${describeChoice(choice)}`,
      blocked: REPLICATE_BLOCKED,
    });
  }
  if (archive && input.hold) handOverAndRelease(input, archive, { hold: input.hold, explicit }, steps);
  const forwarded = input.proxy?.archives ?? [];
  const keep = new Set([
    ...volume.archives.filter((a) => a.primary).map((a) => a.host),
    ...volume.replication.filter((p) => p.mode === 'sync').map((p) => p.to),
  ]);
  for (const to of forwarded) {
    if (keep.has(to)) continue;
    steps.push({ kind: 'stop-synchronize', key: to, params: { to }, reason: `the proxy forwards to ${to}, which no sync pair declares any more`, blocked: SYNC_BLOCKED });
  }
  return { steps, upcoming };
}

/**
 * Cursors no declared pair owns: released. When the host holding one became this archive's new
 * primary (a failover commit) and is behind, one last replication hands over what this archive holds
 * first, so the new primary loses nothing; then the cursor goes.
 */
function handOverAndRelease(input: ReplicationInput, archive: ObservedArchive, at: { hold: HoldDecision; explicit: Set<number> }, steps: Step[]): void {
  for (const to of at.hold.released) {
    const cursor = archive.replicas[to]!;
    if (at.hold.handOver.includes(to)) {
      const choice = predict(input, { uuid: cursor.uuid ?? archive.lineage ?? archive.uuid, gid: cursor.gid }, at.explicit);
      const back = input.volume.replication.find((p) => p.from === to && p.to === input.host);
      if (choice.kind !== 'none') {
        steps.push({
          kind: 'replicate', key: to,
          params: { to, compression: back?.compression ?? DEFAULTS.compression, bandwidthLimitBytes: back?.bandwidthLimitBytes ?? null, method: choice.kind, fromGid: cursor.gid, toGid: choice.toGid, handOver: true },
          reason: `${to} is the new primary and is at gid ${cursor.gid}, behind this archive's gid ${input.newestGid}: one last replication hands over the rest before the cursor is released; ${describeChoice(choice)}`,
          blocked: REPLICATE_BLOCKED,
        });
      }
    }
    steps.push({
      kind: 'release-replica', key: to,
      params: { to, gid: cursor.gid },
      reason: `no replication pair from ${input.host} to ${to} is declared any more: its cursor (gid ${cursor.gid}) no longer holds diffs back`,
    });
  }
}

function predict(input: ReplicationInput, target: { uuid: string; gid: number }, explicit: ReadonlySet<number>): ReplicationChoice {
  const archive = input.archive!;
  const chain = input.chain ?? { base: archive.base.b, diffs: archive.diffs };
  // The replicate transfer merges diffs in transfer within WalB's limits, never across an explicit snapshot.
  return chooseReplication({ uuid: archive.lineage ?? archive.uuid, base: { b: chain.base }, diffs: chain.diffs }, target, { ...REPLICATION_MERGE, barriers: explicit });
}

/** The reason's second half: which kind and why. */
export function describeChoice(choice: ReplicationChoice): string {
  switch (choice.kind) {
    case 'none':
      return 'nothing to send';
    case 'full':
      return choice.why === 'target-empty' ? 'a full replication (it holds nothing)' : 'a full replication (it holds another lineage)';
    case 'diff':
    {
      const n = choice.path.length;
      const merged = choice.batches.length === n ? '' : `, sent as ${choice.batches.length} merged in transfer`;
      const first = choice.batches[0]!.gidB;
      // A diff merged across the target's gid applies there (WalB's relation); it carries the writes since its start too.
      const across = first < choice.fromGid ? `; the first was merged across it and starts at gid ${first}` : '';
      return `the diffs from gid ${choice.fromGid} (${n} diff${n === 1 ? '' : 's'}${merged}, ${formatBytes(choice.bytes, { trimZero: true })}${across})`;
    }
    case 'hash': {
      const why = { 'applied-past': 'the base was applied past its gid', 'merged-past': 'only a compared diff (a hash backup\'s, applicable where it was made) spans its gid', gap: 'the diffs from its gid are not all here' }[choice.why];
      return `a hash replication (${why})`;
    }
  }
}
