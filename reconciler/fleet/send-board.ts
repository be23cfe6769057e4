/**
 * Transfers this host is sending now, with their progress: the driver updates an entry while a full
 * backup or a diff goes out; the status page and /metrics read them (and `vol full-backup` prints).
 */
export interface Sending {
  peer: string;
  kind: string;
  volume: string;
  done: number;
  total: number;
  since: string;
}

export class SendBoard {
  private readonly running = new Set<Sending>();

  begin(peer: string, kind: string, volume: string, total = 0): Sending {
    const s: Sending = { peer, kind, volume, done: 0, total, since: new Date().toISOString() };
    this.running.add(s);
    return s;
  }

  end(s: Sending): void {
    this.running.delete(s);
  }

  list(): Sending[] {
    return [...this.running].map((s) => ({ ...s }));
  }
}
