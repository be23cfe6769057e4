/**
 * Where a proxy keeps its spool, inside the host's data directory:
 * `<dataDir>/proxy/<vol>/volume.json` (the volume's state), `master/` (a received batch's wdiff,
 * until it is linked into every queue), `queue/<archive>/` (one hard link per diff still to send
 * to that archive), `incoming/` (temporary files of batches being received and merged runs).
 *
 * A spooled diff's file name says everything the queue needs without opening it:
 * `<lsidB>-<lsidE>-<X|->-<archive diff name>` — the log range it came from, whether its end gid is an
 * explicit snapshot, and the name the archive will give it (timestamp, M/C flags, gids).
 */
import { join } from 'node:path';

import { checkVolumeName } from '../archive/layout.js';
import { formatDiffName, parseDiffName, type DiffName } from '../archive/diff-name.js';

export interface ProxyPaths {
  dir: string;
  state: string;
  master: string;
  incoming: string;
  queues: string;
  lock: string;
}

export function spoolRoot(dataDir: string): string {
  return join(dataDir, 'proxy');
}

export function proxyPaths(dataDir: string, vol: string): ProxyPaths {
  checkVolumeName(vol);
  const dir = join(spoolRoot(dataDir), vol);
  return {
    dir,
    state: join(dir, 'volume.json'),
    master: join(dir, 'master'),
    incoming: join(dir, 'incoming'),
    queues: join(dir, 'queue'),
    lock: join(dir, 'volume.lock'),
  };
}

export function queueDir(p: ProxyPaths, archive: string): string {
  checkVolumeName(archive);
  return join(p.queues, archive);
}

/** A diff in the spool: the log range it was converted from and its place in the gid chain. */
export interface SpooledDiff {
  lsid: { b: number; e: number };
  diff: DiffName;
  /** The snapshot at the diff's end is explicit (an operator or schedule asked for it). */
  explicitEnd: boolean;
}

const NAME = /^(\d+)-(\d+)-([X-])-(.+\.wdiff)$/;

export function spoolName(d: SpooledDiff): string {
  return `${d.lsid.b}-${d.lsid.e}-${d.explicitEnd ? 'X' : '-'}-${formatDiffName(d.diff)}`;
}

/** Parses a spooled file's name; null for anything else (temporary files, strangers). */
export function parseSpoolName(file: string): SpooledDiff | null {
  const m = NAME.exec(file);
  if (!m) return null;
  const diff = parseDiffName(m[4]!);
  const b = Number(m[1]);
  const e = Number(m[2]);
  if (!diff || !Number.isSafeInteger(b) || !Number.isSafeInteger(e) || e < b) return null;
  return { lsid: { b, e }, diff, explicitEnd: m[3] === 'X' };
}

/** Oldest first: by the log range, then by gid. */
export function bySpoolOrder(x: SpooledDiff, y: SpooledDiff): number {
  return x.lsid.b - y.lsid.b || x.diff.b.b - y.diff.b.b;
}
