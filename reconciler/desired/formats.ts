/**
 * The schema's custom formats (durations, sizes, rates, cron expressions, retention grids), each
 * backed by the parser normalisation uses, so the schema and the code can never disagree. The
 * precompiled validators (validators.generated.ts) look them up here by name.
 */
import { parseCron } from '../util/cron.js';
import { parseDuration } from '../util/duration.js';
import { parseGrid } from '../util/grid.js';
import { parseRate, parseSize } from '../util/size.js';

/** Each format's parser: throws a UnitSyntaxError whose `reason` becomes the diagnostic. */
export const PARSERS: Record<string, (text: string) => unknown> = {
  'walbctl-duration': parseDuration,
  'walbctl-size': parseSize,
  'walbctl-rate': parseRate,
  'walbctl-cron': parseCron,
  'walbctl-grid': parseGrid,
};

export interface Format {
  type: 'string';
  validate: (text: string) => boolean;
}

/** Fleets repeat the same few values (`1h`, `1GiB`) thousands of times: each is parsed once. */
export const walbctlFormats: Record<string, Format> = Object.fromEntries(
  Object.entries(PARSERS).map(([name, parse]) => {
    const known = new Map<string, boolean>();
    const validate = (text: string): boolean => {
      let ok = known.get(text);
      if (ok === undefined) {
        ok = passes(parse, text);
        if (known.size < 10_000) known.set(text, ok);
      }
      return ok;
    };
    return [name, { type: 'string', validate }];
  }),
);

function passes(parse: (text: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}
