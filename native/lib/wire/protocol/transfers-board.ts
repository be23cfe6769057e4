/**
 * Transfers running on a server, with how far each has come: the status call and the metrics read
 * this board; the stream receiver updates it.
 */
export interface TransferProgress {
  id: number;
  kind: string;
  volume: string | null;
  peer: string;
  /** Bytes done and total of the stream (total 0 while unknown). */
  done: number;
  total: number;
  /** Where this run started (non-zero when it resumed). */
  resumedFrom: number;
  since: string;
}

export class TransferBoard {
  private next = 1;
  private readonly running = new Map<number, TransferProgress>();

  begin(kind: string, volume: string | null, peer: string): TransferProgress {
    const t: TransferProgress = { id: this.next++, kind, volume, peer, done: 0, total: 0, resumedFrom: 0, since: new Date().toISOString() };
    this.running.set(t.id, t);
    return t;
  }

  end(t: TransferProgress): void {
    this.running.delete(t.id);
  }

  list(volume?: string): TransferProgress[] {
    return [...this.running.values()].filter((t) => volume === undefined || t.volume === volume).map((t) => ({ ...t }));
  }
}
