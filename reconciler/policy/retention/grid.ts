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
  const labels = new Map<number, string>();
  const labelOf = (id: number, g: GridInterval): string => {
    let label = labels.get(id);
    if (label === undefined) {
      label = `${name} (bucket ${(id % BUCKETS) + 1}/${g.count} of ${formatPeriod(g.periodSeconds)})`;
      labels.set(id, label);
    }
    return label;
  };
  /** The same verdict for snaps strictly newest first (decideRetention's order), without grouping:
   *  bucket ids only grow as times go back, so each bucket is one run, and its oldest are its end. */
  const wholeKeeps = grid.every((g) => g.keep === 'all' || (Number.isInteger(g.keep) && g.keep >= 0));
  const keepInOrder = (snaps: readonly Snap[], now: number): Map<number, string> => {
    const kept = new Map<number, string>();
    let i = 0;
    for (; i < snaps.length && snaps[i]!.time > now; i++) kept.set(snaps[i]!.gid, `${name} (dated after now)`);
    while (i < snaps.length) {
      const id = bucketOf(grid, now, snaps[i]!.time);
      if (id < 0) break; // older than the grid: so is everything after it
      let end = i + 1;
      while (end < snaps.length && bucketOf(grid, now, snaps[end]!.time) === id) end++;
      const g = grid[Math.floor(id / BUCKETS)]!;
      const label = labelOf(id, g);
      const n = g.keep === 'all' ? end - i : Math.min(g.keep, end - i);
      for (let k = end - 1; k >= end - n; k--) kept.set(snaps[k]!.gid, label);
      i = end;
    }
    return kept;
  };
  return {
    name,
    keep(snaps, now) {
      if (wholeKeeps && strictlyNewestFirst(snaps)) return keepInOrder(snaps, now);
      const kept = new Map<number, string>();
      const buckets = new Map<number, Snap[]>();
      for (const s of snaps) {
        if (s.time > now) {
          kept.set(s.gid, `${name} (dated after now)`);
          continue;
        }
        const id = bucketOf(grid, now, s.time);
        if (id < 0) continue;
        const list = buckets.get(id);
        if (list) list.push(s);
        else buckets.set(id, [s]);
      }
      for (const [id, list] of buckets) {
        const series = Math.floor(id / BUCKETS);
        const g = grid[series]!;
        // Snaps come newest first (decideRetention's order): then reversing is the sort.
        const oldestFirst = list.length < 2 ? list : strictlyNewestFirst(list) ? list.reverse() : list.sort((a, b) => a.time - b.time || a.gid - b.gid);
        const chosen = g.keep === 'all' ? oldestFirst : oldestFirst.slice(0, g.keep);
        const label = labelOf(id, g);
        for (const s of chosen) kept.set(s.gid, label);
      }
      return kept;
    },
  };
}

/** Bucket ids are `series * BUCKETS + index`; no series has this many buckets. */
const BUCKETS = 1_000_000_000;

/** The bucket holding `time` (-1: older than the grid): buckets cover (end - period, end], the first ending at now. */
function bucketOf(grid: readonly GridInterval[], now: number, time: number): number {
  let end = now;
  for (let i = 0; i < grid.length; i++) {
    const g = grid[i]!;
    const period = g.periodSeconds * 1000;
    const span = g.count * period;
    if (time > end - span) return i * BUCKETS + Math.min(Math.floor((end - time) / period), g.count - 1);
    end -= span;
  }
  return -1;
}

function strictlyNewestFirst(list: readonly Snap[]): boolean {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]!;
    const b = list[i]!;
    if (!(a.time > b.time || (a.time === b.time && a.gid > b.gid))) return false;
  }
  return true;
}
