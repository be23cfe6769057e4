/**
 * Counters per link (per peer host), as plain data the daemon publishes on its status page and
 * /metrics: connected, bytes each way, transfers done and failed, refusals, the last error.
 */
export interface LinkCounters {
  peer: string;
  /** Connections open to or from this peer now. */
  connected: number;
  bytesSent: number;
  bytesReceived: number;
  transfersDone: number;
  transfersFailed: number;
  /** Requests this side refused (authorization or a typed reject), and refusals it received. */
  refused: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

export class WireMetrics {
  private readonly links = new Map<string, LinkCounters>();

  link(peer: string): LinkCounters {
    let l = this.links.get(peer);
    if (!l) {
      l = { peer, connected: 0, bytesSent: 0, bytesReceived: 0, transfersDone: 0, transfersFailed: 0, refused: 0, lastError: null, lastErrorAt: null };
      this.links.set(peer, l);
    }
    return l;
  }

  error(peer: string, message: string): void {
    const l = this.link(peer);
    l.lastError = message;
    l.lastErrorAt = new Date().toISOString();
  }

  /** A copy of every link's counters, sorted by peer. */
  snapshot(): LinkCounters[] {
    return [...this.links.values()].map((l) => ({ ...l })).sort((a, b) => a.peer.localeCompare(b.peer));
  }
}
