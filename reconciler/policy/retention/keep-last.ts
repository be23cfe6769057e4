/** `keepLast: N` keeps the N newest snapshots. */
import { newestFirst, type RetentionRule } from './rule.js';

export function keepLast(count: number): RetentionRule {
  // Reasons by position, shared by every volume that declares this rule.
  const reasons: string[] = [];
  const reason = (i: number): string => (reasons[i] ??= `keep-last ${count} (#${i + 1})`);
  return {
    name: `keep-last ${count}`,
    keep(snaps) {
      const kept = new Map<number, string>();
      const ordered = newestFirst(snaps);
      const n = Number.isInteger(count) && count >= 0 ? Math.min(count, ordered.length) : ordered.slice(0, count).length;
      for (let i = 0; i < n; i++) kept.set(ordered[i]!.gid, reason(i));
      return kept;
    },
  };
}
