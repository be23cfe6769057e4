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

/** Newest first, ties by gid descending: the order every rule walks (the same array when already so). */
export function newestFirst(snaps: readonly Snap[]): readonly Snap[] {
  for (let i = 1; i < snaps.length; i++) {
    const a = snaps[i - 1]!;
    const b = snaps[i]!;
    if (b.time > a.time || (b.time === a.time && b.gid > a.gid)) return [...snaps].sort((x, y) => y.time - x.time || y.gid - x.gid);
  }
  return snaps;
}
