/**
 * The unit parsers, remembered per distinct text: a fleet repeats the same few values (`1h`,
 * `1GiB`, one grid) across thousands of volumes. Only numbers are cached (never shared objects).
 */
import type { GridInterval } from '../model/desired.js';
import { parseDuration } from '../util/duration.js';
import { gridSpanSeconds, parseGrid } from '../util/grid.js';
import { parseRate, parseSize } from '../util/size.js';

function remember<T extends string | number>(parse: (text: T) => number): (text: T) => number {
  const known = new Map<T, number>();
  return (text) => {
    let value = known.get(text);
    if (value === undefined) {
      value = parse(text);
      if (known.size < 10_000) known.set(text, value);
    }
    return value;
  };
}

export const durationSeconds = remember<string>(parseDuration);
export const sizeBytes = remember<string | number>(parseSize);
export const rateBytes = remember<string | number>(parseRate);
/** How far back a grid reaches, in seconds. */
export const gridSpan = remember<string>((text) => gridSpanSeconds(parseGrid(text)));

const grids = new Map<string, GridInterval[]>();

/** A parsed grid: a fresh copy each time (callers own what they get), parsed once per text. */
export function gridIntervals(text: string): GridInterval[] {
  let grid = grids.get(text);
  if (grid === undefined) {
    grid = parseGrid(text);
    if (grids.size < 10_000) grids.set(text, grid);
  }
  return grid.map((g) => ({ ...g }));
}
