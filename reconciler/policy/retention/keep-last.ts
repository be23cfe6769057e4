/** `keepLast: N` keeps the N newest snapshots. */
import { newestFirst, type RetentionRule } from './rule.js';

export function keepLast(count: number): RetentionRule {
  return {
    name: `keep-last ${count}`,
    keep(snaps) {
      const kept = new Map<number, string>();
      newestFirst(snaps).slice(0, count).forEach((s, i) => kept.set(s.gid, `keep-last ${count} (#${i + 1})`));
      return kept;
    },
  };
}
