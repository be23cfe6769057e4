/** A diff's name fields with the current time (UTC, seconds), as the archive names its files. */
import type { DiffName } from '../archive/diff-name.js';
import { nowSeconds } from './capture-state.js';

export function diffName(d: Omit<DiffName, 'timestamp'>): DiffName {
  return { ...d, timestamp: nowSeconds() };
}
