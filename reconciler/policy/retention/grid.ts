/**
 * zrepl's pruning grid, `1x1h(keep=all) | 24x1h | 14x1d`: from now backwards, each series lays down
 * `count` buckets of `period`; a bucket keeps its oldest `keep` snapshots (or all of them). Snapshots
 * older than the whole grid are not kept by it; snapshots dated after now (clock skew) are kept.
 */
import type { GridInterval } from '../../model/desired.js';
import type { RetentionRule, Snap } from './rule.js';

export function formatGrid(grid: readonly GridInterval[]): string {
  return grid.map((g) => `${g.count}x${formatPeriod(g.periodSeconds)}${g.keep === 1 ? '' : `(keep=${g.keep})`}`).join(' | ');
}

function formatPeriod(s: number): string {
  for (const [size, unit] of [[86400 * 7, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm']] as const) {
    if (s % size === 0) return `${s / size}${unit}`;
  }
  return `${s}s`;
}

export function gridRule(grid: readonly GridInterval[]): RetentionRule {
  const name = `grid ${formatGrid(grid)}`;
  return {
    name,
    keep(snaps, now) {
      const kept = new Map<number, string>();
      const buckets = new Map<string, Snap[]>();
      const label = new Map<string, string>();
      for (const s of snaps) {
        if (s.time > now) {
          kept.set(s.gid, `${name} (dated after now)`);
          continue;
        }
        const found = bucketOf(grid, now, s.time);
        if (!found) continue;
        const list = buckets.get(found.id) ?? [];
        list.push(s);
        buckets.set(found.id, list);
        label.set(found.id, found.label);
      }
      for (const [id, list] of buckets) {
        const keep = grid[Number(id.split(':')[0])]!.keep;
        const oldestFirst = list.sort((a, b) => a.time - b.time || a.gid - b.gid);
        const chosen = keep === 'all' ? oldestFirst : oldestFirst.slice(0, keep);
        for (const s of chosen) kept.set(s.gid, `${name} (${label.get(id)})`);
      }
      return kept;
    },
  };
}

/** The bucket holding `time`: buckets cover (end - period, end], the first ending at now. */
function bucketOf(grid: readonly GridInterval[], now: number, time: number): { id: string; label: string } | null {
  let end = now;
  for (let i = 0; i < grid.length; i++) {
    const g = grid[i]!;
    const period = g.periodSeconds * 1000;
    const span = g.count * period;
    if (time > end - span) {
      const k = Math.floor((end - time) / period);
      const index = Math.min(k, g.count - 1);
      return { id: `${i}:${index}`, label: `bucket ${index + 1}/${g.count} of ${formatPeriod(g.periodSeconds)}` };
    }
    end -= span;
  }
  return null;
}
