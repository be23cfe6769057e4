/**
 * What the plan says about replication-aware retention, so an operator sees which of the two
 * happened and why: a snapshot retention would drop but keeps only because a lagging replica's
 * cursor sits on it, or a replica let go past the volume's `replicationLimit`.
 */
import { formatBytes } from '../util/size.js';
import type { HoldDecision, ReplicaLag } from './replica-hold.js';
import { formatAge } from './time.js';

const SHARED = 'newest snapshot shared with ';

export function holdNotes(hold: HoldDecision, keep: ReadonlyMap<number, readonly string[]>, out: string[]): void {
  for (const s of hold.standings) {
    if (s.letGo !== null) {
      out.push(`replica ${s.to} is let go: ${s.letGo}; retention, merge and apply no longer hold diffs back for it, and the next replication to ${s.to} is a hash replication once the base is applied past its cursor (a diff replication while a merged diff still spans it)`);
    }
  }
  for (const [gid, reasons] of keep) {
    if (!reasons.every((r) => r.startsWith(SHARED))) continue;
    for (const r of reasons) {
      const to = r.slice(SHARED.length);
      const s = hold.standings.find((x) => x.to === to);
      if (!s?.cursor || !s.lag) continue;
      out.push(`retention keeps snapshot ${gid} only for replica ${to} (its cursor is at gid ${s.cursor.gid}; it lags ${describeLag(s.lag)}); ${hold.limited ? 'past the volume\'s replicationLimit it would be let go' : 'no replicationLimit is declared, so it is held for without limit'}`);
    }
  }
}

/** `3 gids, 1.2 MiB, 2h`. */
export function describeLag(lag: ReplicaLag): string {
  return `${lag.gids} gid${lag.gids === 1 ? '' : 's'}, ${formatBytes(lag.bytes, { trimZero: true })}, ${formatAge(lag.seconds * 1000)}`;
}
