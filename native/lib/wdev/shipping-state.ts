/**
 * `shipping.json` beside `capture.json`: what the storage's shipping loop learnt on the way — marks
 * of where the log ended when (the permanent lsid, sampled every second, a mark kept per change), and
 * each proxy's last answer (the newest lsid it converted, and per archive the newest lsid and gid
 * that archive acknowledged). It is a
 * report, never a position: losing it loses no data (the positions are capture.json and the
 * proxies' own state). `shippingView` turns it, with the log's lsids, into the observed facts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { atomicWriteFile } from '../../../common/atomic-write.js';
import type { ObservedShipping } from '../../../common/observed.js';
import type { CaptureState } from './capture-state.js';
import type { WdevPaths } from './paths.js';

/** Marks kept: at one a second under steady writes, ten minutes of backlog are dated exactly. */
const MARKS = 600;

export interface ProxyAnswer {
  /** When the proxy answered (ms since the epoch). */
  at: number;
  receivedLsid: number | null;
  archives: Record<string, { lsid: number; gid: number } | null>;
}

export interface ShippingState {
  formatVersion: 1;
  /** Oldest first: at `at` (ms since the epoch) the log ended at `lsid` (its permanent lsid). */
  marks: { lsid: number; at: number }[];
  proxies: Record<string, ProxyAnswer>;
}

export function shippingPath(p: WdevPaths): string {
  return join(p.dir, 'shipping.json');
}

export async function readShipping(p: WdevPaths): Promise<ShippingState | null> {
  try {
    const s = JSON.parse(await readFile(shippingPath(p), 'utf8')) as ShippingState;
    return Array.isArray(s.marks) && s.proxies && typeof s.proxies === 'object' ? s : null;
  } catch {
    return null; // a report only: absent or unreadable means "not known yet"
  }
}

export function writeShipping(p: WdevPaths, s: ShippingState): Promise<void> {
  if (s.marks.length > MARKS) s.marks.splice(0, s.marks.length - MARKS);
  return atomicWriteFile(shippingPath(p), JSON.stringify(s) + '\n');
}

export function emptyShipping(): ShippingState {
  return { formatVersion: 1, marks: [], proxies: {} };
}

/** Notes that the log ended at `lsid` at `at`: a new mark when it moved, else the last one moves to `at`. */
export function markLogEnd(s: ShippingState, lsid: number, at: number): void {
  const last = s.marks[s.marks.length - 1];
  if (last && last.lsid === lsid) last.at = at;
  else s.marks.push({ lsid, at });
}

/**
 * The observed facts at `now`. Archived is the newest lsid every archive named in any proxy's
 * answer holds (the proxies' answers combined: after a failover each holds part of the log).
 */
export function shippingView(s: ShippingState | null, cap: CaptureState, writtenLsid: number, now: number): ObservedShipping {
  const answers = Object.values(s?.proxies ?? {});
  const converted = answers.reduce<number | null>((m, a) => (a.receivedLsid === null ? m : Math.max(m ?? 0, a.receivedLsid)), null);
  const archives: ObservedShipping['archives'] = {};
  for (const a of answers) {
    for (const [host, f] of Object.entries(a.archives)) {
      if (f && (archives[host] === undefined || f.lsid > archives[host]!.lsid)) archives[host] = { lsid: f.lsid, gid: f.gid };
    }
  }
  const hosts = new Set(answers.flatMap((a) => Object.keys(a.archives)));
  const archived = hosts.size === 0 ? null : Math.min(...[...hosts].map((h) => archives[h]?.lsid ?? 0));
  const seen = answers.reduce<number | null>((m, a) => Math.max(m ?? 0, a.at), null);
  return {
    writtenLsid,
    shippedLsid: cap.shipped.lsid,
    convertedLsid: converted,
    archivedLsid: archived,
    archives,
    recoveryPointSeconds: recoveryPoint(s, cap, writtenLsid, archived, now),
    proxiesSeenAt: seen === null ? null : new Date(seen).toISOString(),
  };
}

function recoveryPoint(s: ShippingState | null, cap: CaptureState, written: number, archived: number | null, now: number): number | null {
  const marks = s?.marks ?? [];
  const age = (at: number) => Math.max(0, Math.round((now - at) / 100) / 10);
  // The newest moment the log ended at or before `lsid`: every write past `lsid` came after it.
  const before = (lsid: number) => [...marks].reverse().find((m) => m.lsid <= lsid);
  if (archived === null) {
    // No archive's word yet: the age of the oldest log not shipped, when a mark dates it.
    const m = cap.shipped.lsid < written ? before(cap.shipped.lsid) : undefined;
    return m ? age(m.at) : null;
  }
  if (archived >= written) return 0;
  // Past the marks kept: the first mark past `archived` is a lower bound (a write it lacks was older).
  const m = before(archived) ?? marks.find((x) => x.lsid > archived);
  return m ? age(m.at) : null;
}
