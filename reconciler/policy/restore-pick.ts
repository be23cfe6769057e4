/**
 * Which snapshot a declared restore keeps restored. `newest` follows every snapshot; the others change
 * once per period: the newest snapshot taken before the current UTC hour, day or ISO week (Monday)
 * began, so a restored image stays put while its period is current.
 */
import type { RestoreSpec } from '../model/desired.js';

export interface Restorable {
  gid: number;
  time: number;
}

export function periodStart(pick: RestoreSpec['pick'], now: number): number {
  const d = new Date(now);
  switch (pick) {
    case 'newest':
      return Number.POSITIVE_INFINITY;
    case 'newest-hourly':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours());
    case 'newest-daily':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'newest-weekly':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  }
}

export function pickRestore(pick: RestoreSpec['pick'], snaps: readonly Restorable[], now: number): Restorable | null {
  const before = periodStart(pick, now);
  let best: Restorable | null = null;
  for (const s of snaps) {
    if (pick !== 'newest' && s.time >= before) continue;
    if (!best || s.gid > best.gid) best = s;
  }
  return best;
}
