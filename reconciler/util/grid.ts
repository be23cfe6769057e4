/**
 * zrepl-style retention grids: `1x1h(keep=all) | 24x1h | 14x1d`. Each interval is COUNTxPERIOD
 * buckets, going back from now, with `(keep=N)` or `(keep=all)` snapshots per bucket (default 1).
 */
import type { GridInterval } from '../model/desired.js';
import { parseDuration } from './duration.js';
import { UnitSyntaxError } from './unit-error.js';

const INTERVAL = /^(\d+)x([0-9a-z]+)(?:\(keep=(all|\d+)\))?$/;

/** Parses a grid. Throws UnitSyntaxError whose `field` names the bad interval (`interval 2`). */
export function parseGrid(text: string): GridInterval[] {
  const items = text.split('|').map((s) => s.trim());
  return items.map((item, i) => {
    const field = `interval ${i + 1}`;
    const fail = (reason: string): never => {
      throw new UnitSyntaxError('grid', text, reason, field);
    };
    const m = INTERVAL.exec(item);
    if (!m) fail(`"${item}" is not COUNTxPERIOD or COUNTxPERIOD(keep=N|all), like 24x1h or 1x1h(keep=all)`);
    const [, count, period, keep] = m!;
    if (Number(count) < 1) fail('count must be at least 1');
    let periodSeconds = 0;
    try {
      periodSeconds = parseDuration(period);
    } catch (error) {
      fail(error instanceof UnitSyntaxError ? `period: ${error.reason}` : String(error));
    }
    if (keep !== undefined && keep !== 'all' && Number(keep) < 1) fail('keep must be at least 1 or all');
    return { count: Number(count), periodSeconds, keep: keep === undefined ? 1 : keep === 'all' ? 'all' : Number(keep) };
  });
}

/** How far back a grid reaches: the sum of count × period over its intervals, in seconds. */
export function gridSpanSeconds(grid: GridInterval[]): number {
  return grid.reduce((sum, g) => sum + g.count * g.periodSeconds, 0);
}
