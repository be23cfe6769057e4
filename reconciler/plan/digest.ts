/**
 * The observed state's digest, carried by a plan so a saved plan is refused when the live state moved.
 * It covers what the planner decides from: `observedAt` is left out (observing again changes nothing
 * by itself) and so is the storage's log position (`log`), which moves with every write the volume
 * takes. Keys are sorted so the digest does not depend on property order.
 */
import { createHash } from 'node:crypto';

import type { ObservedState } from '../model/observed.js';

export function observedDigest(observed: ObservedState): string {
  const { observedAt: _at, ...rest } = observed;
  return 'sha256:' + createHash('sha256').update(canonical(rest, '')).digest('hex');
}

function canonical(value: unknown, key: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, '')).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([k, v]) => v !== undefined && !(key === 'storage' && k === 'log'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v, k)}`).join(',')}}`;
}
