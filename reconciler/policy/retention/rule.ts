/**
 * The interface every retention rule implements. A rule looks at the explicit snapshots of one
 * archive and names the ones it wants kept, each with a short reason; it never decides a drop.
 * A snapshot goes only when no rule keeps it (see decide.ts).
 */
export interface Snap {
  gid: number;
  /** When the snapshot was taken, ms since the epoch (UTC). */
  time: number;
}

export interface RetentionRule {
  /** How the rule shows in reasons: `keep-last 3`, `grid 24x1h`. */
  readonly name: string;
  /** Gids this rule keeps, with why. `snaps` may come in any order. */
  keep(snaps: readonly Snap[], now: number): Map<number, string>;
}

/** Newest first, ties by gid descending: the order every rule walks. */
export function newestFirst(snaps: readonly Snap[]): Snap[] {
  return [...snaps].sort((a, b) => b.time - a.time || b.gid - a.gid);
}
