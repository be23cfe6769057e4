/**
 * One observation of a host, as drivers see it: what every volume's observation would otherwise read
 * again (a folder listing, a host-wide state file) is read once per round. A round lives for one
 * observeHost call, so it never serves anything older than the observation it belongs to.
 */
export class ObserveRound {
  private readonly values = new Map<string, Promise<unknown>>();

  /** `read()` the first time `key` is asked for in this round; the same promise after that. */
  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let p = this.values.get(key) as Promise<T> | undefined;
    if (!p) {
      p = read();
      this.values.set(key, p);
    }
    return p;
  }
}

/** `round.once(key, read)`, or `read()` when there is no round (an action, a one-off observation). */
export function onceIn<T>(round: ObserveRound | undefined, key: string, read: () => Promise<T>): Promise<T> {
  return round ? round.once(key, read) : read();
}
