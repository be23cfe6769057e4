/**
 * Replication pairs, planned on the sending archive host: `async` pairs replicate once per schedule
 * run when the replica is behind (at once when it holds nothing yet); `sync` pairs are synchronized
 * once (the proxies then forward every diff to the receiver too). A proxy forwarding to a host that is
 * neither a primary archive nor the receiver of a sync pair is told to stop. Every one of these needs
 * the transport between hosts, so each step is blocked until it exists.
 */
import type { DesiredVolume } from '../model/desired.js';
import type { ObservedArchive, ObservedProxy } from '../../common/observed.js';
import { describeSchedule, fireFor, scheduleDue } from './schedule.js';
import { TRANSPORT_BLOCKED, type Step } from './step.js';
import { toMs } from './time.js';

export interface ReplicationInput {
  host: string;
  volume: DesiredVolume;
  /** This host's archive of the volume (Archived), or undefined when it holds none. */
  archive: ObservedArchive | undefined;
  proxy: ObservedProxy | undefined;
  /** Newest clean gid the archive holds. */
  newestGid: number | null;
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
  for (const pair of volume.replication) {
    if (pair.from !== input.host || !archive || input.newestGid === null) continue;
    const params = { to: pair.to, compression: pair.compression, bandwidthLimitBytes: pair.bandwidthLimitBytes };
    if (pair.mode === 'sync') {
      if (!input.proxy?.archives.includes(pair.to)) {
        steps.push({ kind: 'synchronize', key: pair.to, params, reason: `sync replication to ${pair.to} is declared and not running`, blocked: TRANSPORT_BLOCKED });
      }
      continue;
    }
    const replica = archive.replicas[pair.to];
    if (!replica) {
      steps.push({ kind: 'replicate', key: pair.to, params: { ...params, fromGid: null, toGid: input.newestGid }, reason: `${pair.to} holds no copy yet`, blocked: TRANSPORT_BLOCKED });
      continue;
    }
    const schedule = pair.schedule ?? { kind: 'every' as const, everySeconds: 3600 };
    const decision = scheduleDue(fireFor(schedule), { last: replica.replicatedAt ? toMs(replica.replicatedAt) : null, now });
    upcoming.push(decision.nextAt);
    if (!decision.due || replica.gid >= input.newestGid) continue;
    const catchUp = decision.missed > 1 ? ` (${decision.missed >= 1000 ? 'over 1000' : decision.missed} runs missed: one catch-up run)` : '';
    steps.push({
      kind: 'replicate', key: pair.to,
      params: { ...params, fromGid: replica.gid, toGid: input.newestGid },
      reason: `${pair.to} is at gid ${replica.gid}, behind gid ${input.newestGid}, and ${describeSchedule(schedule)} is due${catchUp}`,
      blocked: TRANSPORT_BLOCKED,
    });
  }
  const forwarded = input.proxy?.archives ?? [];
  const keep = new Set([
    ...volume.archives.filter((a) => a.primary).map((a) => a.host),
    ...volume.replication.filter((p) => p.mode === 'sync').map((p) => p.to),
  ]);
  for (const to of forwarded) {
    if (keep.has(to)) continue;
    steps.push({ kind: 'stop-synchronize', key: to, params: { to }, reason: `the proxy forwards to ${to}, which no sync pair declares any more`, blocked: TRANSPORT_BLOCKED });
  }
  return { steps, upcoming };
}
