/**
 * Where the planner gets each observed volume: from an ObservedState's `volumes` object, or (for a
 * large fixture file) parsed one volume at a time as it is planned (io/lazy-observed.ts), so the
 * parsed volumes die young instead of being copied into the old generation together. The planner
 * asks for each volume once.
 */
import type { ObservedVolume } from '../../common/observed.js';

export interface VolumeSource {
  /** The volumes' names, in the order Object.keys would list them. */
  readonly names: readonly string[];
  /** The volume of that name, or undefined. */
  get(name: string): ObservedVolume | undefined;
}

export function objectSource(volumes: Record<string, ObservedVolume>): VolumeSource {
  return { names: Object.keys(volumes), get: (name) => (Object.hasOwn(volumes, name) ? volumes[name] : undefined) };
}
