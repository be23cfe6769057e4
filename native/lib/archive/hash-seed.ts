/**
 * The seed of one run's bulk hashes (hash_index.h): a hash backup has the archive hash its image
 * with a seed chosen for that run, so a collision found once cannot hide a changed bulk again.
 */
import { randomBytes } from 'node:crypto';

/** 16 hex digits, never all zero (seed 0 is the unseeded hash of a version 1 index). */
export function newHashSeed(): string {
  const s = randomBytes(8).toString('hex');
  return /^0+$/.test(s) ? newHashSeed() : s;
}
