/**
 * The error the unit parsers (durations, sizes, cron expressions, retention grids) throw. The
 * message names what was wrong and what a good value looks like; `field` names the part of the
 * text at fault (a cron field, a grid interval) when there is one.
 */
import { InputError } from '../../common/errors.js';

export type UnitKind = 'duration' | 'size' | 'rate' | 'cron' | 'grid';

export class UnitSyntaxError extends InputError {
  constructor(
    readonly kind: UnitKind,
    readonly text: string,
    readonly reason: string,
    readonly field?: string,
  ) {
    super(`bad ${kind} ${JSON.stringify(text)}: ${field ? `${field}: ` : ''}${reason}`);
  }
}
