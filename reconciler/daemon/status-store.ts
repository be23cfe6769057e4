/**
 * The one place the daemon's status is written: in memory for `/status` and `/metrics`, and to
 * `<dataDir>/reconciler/status.json` (atomically) so `walbctl status` can show the last known state
 * when no daemon answers.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { ObservedVolume } from '../../common/observed.js';
import { atomicWriteFile } from '../../common/atomic-write.js';
import { conditionsFor, type VolumeOutcome } from './conditions.js';
import { laggingCondition, type PairStatus } from './replication-status.js';
import { emptyVolumeStatus, type DaemonStatus, type VolumeStatus } from './status-model.js';

/** The fields every pass moves: the pass times, the fetch time, each volume's last success and ages. */
export const TICKING: ReadonlySet<string> = new Set(['lastPassAt', 'nextPassAt', 'fetchedAt', 'lastSucceededAt', 'ageSeconds']);

function withoutTicking(key: string, value: unknown): unknown {
  return TICKING.has(key) ? undefined : value;
}

export class StatusStore {
  private file: string | null = null;
  private readonly outcomes = new Map<string, VolumeOutcome>();
  private writing: Promise<void> = Promise.resolve();
  /** What was last written, without TICKING. */
  private lastWritten = '';
  private lastWrittenAt = 0;

  constructor(
    readonly status: DaemonStatus,
    private readonly onWriteError: (error: unknown) => void = () => {},
  ) {}

  /** Where status.json goes (the data directory is known once a revision validated). */
  setFile(file: string): void {
    this.file = file;
  }

  volume(name: string, address: string): VolumeStatus {
    return (this.status.volumes[name] ??= emptyVolumeStatus(address));
  }

  /** Sets a volume's conditions from its outcome, keeping transition times of unchanged ones. */
  setOutcome(name: string, address: string, outcome: VolumeOutcome, now: Date): VolumeStatus {
    const v = this.volume(name, address);
    this.outcomes.set(name, outcome);
    const invalid = this.status.desired.valid ? null : `the newest revision ${this.status.desired.lastAttemptedRevision ?? ''} does not validate (${this.status.desired.diagnostics.length} error(s): ${this.status.desired.diagnostics[0] ?? ''}); converging to ${this.status.desired.lastGoodRevision ?? 'nothing'}`;
    // The revision tried last is the newest one, even when the volume converges to an older one.
    if (invalid !== null) v.lastAttemptedRevision = this.status.desired.lastAttemptedRevision;
    const kept = v.conditions.filter((c) => c.type === 'ReplicationLagging');
    v.conditions = [...conditionsFor(outcome, { previous: v.conditions, now: now.toISOString(), invalid }), ...kept];
    return v;
  }

  /** Recomputes every volume's conditions from its last outcome (the desired state's validity changed). */
  refreshConditions(now: Date): void {
    for (const [name, v] of Object.entries(this.status.volumes)) this.setOutcome(name, v.address, this.outcomes.get(name) ?? { kind: 'pending' }, now);
  }

  /** Copies what observation says into a volume's status: newest snapshot, restorable count, backlog,
   *  and the restored images an operator made (left alone by the reconciler). A storage host whose
   *  archive is on another host reports the newest snapshot and the count its status call answered. */
  setObserved(name: string, address: string, observed: ObservedVolume | undefined): void {
    const v = this.volume(name, address);
    const archive = observed?.archive;
    const newest = archive?.restorable.at(-1);
    v.lastSnapshot = newest ? { gid: newest.gid, at: newest.timestamp } : null;
    v.restorable = archive?.restorable.length ?? 0;
    if (!archive) {
      const peer = Object.values(observed?.peers ?? {}).flatMap((p) => (p.reachable ? [p] : [])).sort((a, b) => (b.newestGid ?? -1) - (a.newestGid ?? -1))[0];
      const gid = peer?.restorable.at(-1);
      if (peer && gid !== undefined && peer.newestAt) v.lastSnapshot = { gid, at: peer.newestAt };
      if (peer) v.restorable = peer.restorable.length;
    }
    v.diffBacklog = { count: archive?.diffs.length ?? 0, bytes: archive?.diffs.reduce((s, d) => s + d.dataSize, 0) ?? 0 };
    v.unmanagedRestores = (archive?.restored ?? []).filter((r) => !r.managed).map((r) => ({ gid: r.gid, path: r.path }));
  }

  /** Sets a volume's replication pairs and its ReplicationLagging condition. */
  setReplication(name: string, address: string, pairs: PairStatus[], now: Date): void {
    const v = this.volume(name, address);
    v.replication = pairs;
    const lagging = laggingCondition(pairs, { previous: v.conditions, now: now.toISOString() });
    v.conditions = v.conditions.filter((c) => c.type !== 'ReplicationLagging');
    if (lagging) v.conditions.push(lagging);
  }

  /** Drops volumes no longer declared nor found on disk. */
  retain(names: Set<string>): void {
    for (const name of Object.keys(this.status.volumes)) {
      if (names.has(name)) continue;
      delete this.status.volumes[name];
      this.outcomes.delete(name);
    }
  }

  /**
   * Writes status.json; writes are serialised so an older status never lands after a newer one. An
   * idle pass that changed nothing but what every pass moves (TICKING) writes at most once a minute:
   * the file is what `walbctl status` shows when no daemon answers, and rewriting 220 KB (100
   * volumes) with an fsync every 10 s was most of an idle daemon's work.
   */
  flush(): Promise<void> {
    const file = this.file;
    if (!file) return this.writing;
    const content = JSON.stringify(this.status, withoutTicking);
    if (content === this.lastWritten && Date.now() - this.lastWrittenAt < 60_000) return this.writing;
    this.lastWritten = content;
    this.lastWrittenAt = Date.now();
    // The pretty text only when it is written.
    const text = JSON.stringify(this.status, null, 2) + '\n';
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await atomicWriteFile(file, text);
    }).catch((error: unknown) => this.onWriteError(error));
    return this.writing;
  }
}
