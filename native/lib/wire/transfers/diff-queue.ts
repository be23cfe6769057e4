/**
 * The diffs an archive is receiving, per volume, in chain order (this server process only). They
 * let a sender pipeline its diffs: a diff that continues one still being received or committed is
 * taken in at once, streams into its own partial while the one before it is verified and
 * installed, and installs only after that one did — so the chain on disk grows one diff at a time,
 * in order, and each diff is durable and registered before its `committed` answer, as before.
 * Each entry belongs to one history of the volume — the device uuid and the full backup (lineage)
 * the archive held when it was entered — so after `archive reset` and a new full backup (another
 * process's doing) a diff of the same span is never taken for one this process installed before.
 */
import type { DiffName } from '../../archive/diff-name.js';
import { canApply } from '../../archive/gid.js';

/** The history a diff belongs to: the device's uuid and the archive's full backup id. */
export interface Lineage {
  uuid: string;
  fullBackupId: string | null;
}

export interface Queued {
  diff: DiffName;
  lineage: Lineage;
  state: 'receiving' | 'installed' | 'failed';
  /** True once installed, false if it failed: what the diff after it waits on before installing. */
  settled: Promise<boolean>;
}

export interface Ticket {
  /** The diff this one continues, if it is still being received (null: it continues the chain on disk). */
  after: Promise<boolean> | null;
  settle(installed: boolean): void;
}

/** Installed entries kept per volume: a check that listed the chain just before one installed still finds it here. */
const KEEP_INSTALLED = 8;
const queues = new Map<string, Queued[]>();

const key = (dataDir: string, volume: string): string => `${dataDir}\0${volume}`;
const same = (x: DiffName, y: DiffName): boolean => x.b.b === y.b.b && x.b.e === y.b.e && x.e.b === y.e.b && x.e.e === y.e.e;
const sameLineage = (x: Lineage, y: Lineage): boolean => x.uuid === y.uuid && x.fullBackupId === y.fullBackupId;

/** The entry of this very diff of this history (being received, or installed a moment ago), if any. */
export function queuedSame(dataDir: string, volume: string, diff: DiffName, lineage: Lineage): Queued | undefined {
  return queues.get(key(dataDir, volume))?.find((q) => q.state !== 'failed' && same(q.diff, diff) && sameLineage(q.lineage, lineage));
}

/** The newest entry of this history `diff` continues (being received or just installed), if any. */
export function queuedBefore(dataDir: string, volume: string, diff: DiffName, lineage: Lineage): Queued | undefined {
  const list = queues.get(key(dataDir, volume)) ?? [];
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.state !== 'failed' && sameLineage(list[i]!.lineage, lineage) && canApply(list[i]!.diff.e, diff)) return list[i];
  return undefined;
}

/** Diffs of the volume being received now (their partials must stay). */
export function receiving(dataDir: string, volume: string): DiffName[] {
  return (queues.get(key(dataDir, volume)) ?? []).filter((q) => q.state === 'receiving').map((q) => q.diff);
}

/**
 * Enters `diff`, received after `before` (or after the chain on disk when null). Call it in the same
 * turn as the checks that chose `before`; settle it exactly once, when the diff is installed or not.
 */
export function enqueue(dataDir: string, volume: string, diff: DiffName, lineage: Lineage, before: Queued | null): Ticket {
  const k = key(dataDir, volume);
  const list = queues.get(k) ?? [];
  queues.set(k, list);
  let resolve!: (ok: boolean) => void;
  const entry: Queued = { diff, lineage, state: 'receiving', settled: new Promise<boolean>((r) => (resolve = r)) };
  list.push(entry);
  let done = false;
  return {
    after: before ? before.settled : null,
    settle(installed) {
      if (done) return;
      done = true;
      entry.state = installed ? 'installed' : 'failed';
      resolve(installed);
      const at = list.indexOf(entry);
      if (!installed && at >= 0) list.splice(at, 1);
      const old = list.filter((q) => q.state === 'installed');
      for (const q of old.slice(0, Math.max(0, old.length - KEEP_INSTALLED))) list.splice(list.indexOf(q), 1);
      if (list.length === 0) queues.delete(k);
    },
  };
}
