/**
 * Each wire link of a host as the status page and /metrics show it: connected or not, bytes each
 * way, transfers done and failed, refusals, the transfer in progress with its progress, the lag of
 * each remote archive behind this storage (in gids and seconds), and the last error.
 */
import type { ObservedState } from '../../common/observed.js';
import type { WireEndpoint } from './wire-endpoint.js';

export interface LinkTransfer {
  direction: 'send' | 'receive';
  kind: string;
  volume: string | null;
  done: number;
  total: number;
}

export interface LinkLag {
  volume: string;
  gids: number;
  seconds: number;
}

export interface LinkStatus {
  peer: string;
  connected: boolean;
  bytesSent: number;
  bytesReceived: number;
  transfersDone: number;
  transfersFailed: number;
  refused: number;
  transfer: LinkTransfer | null;
  lag: LinkLag[];
  /** The newest status call's verdict on the peer, when this host asks it. */
  reachable: boolean | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export function linkStatus(endpoint: WireEndpoint, observed: ObservedState | null, now: number): LinkStatus[] {
  const links = new Map<string, LinkStatus>();
  const link = (peer: string): LinkStatus => {
    let l = links.get(peer);
    if (!l) {
      l = { peer, connected: false, bytesSent: 0, bytesReceived: 0, transfersDone: 0, transfersFailed: 0, refused: 0, transfer: null, lag: [], reachable: null, lastError: null, lastErrorAt: null };
      links.set(peer, l);
    }
    return l;
  };
  for (const c of endpoint.metrics.snapshot()) {
    Object.assign(link(c.peer), { connected: c.connected > 0, bytesSent: c.bytesSent, bytesReceived: c.bytesReceived, transfersDone: c.transfersDone, transfersFailed: c.transfersFailed, refused: c.refused, lastError: c.lastError, lastErrorAt: c.lastErrorAt });
  }
  for (const s of endpoint.sending.list()) link(s.peer).transfer = { direction: 'send', kind: s.kind, volume: s.volume, done: s.done, total: s.total };
  for (const t of endpoint.receiving()) link(t.peer).transfer = { direction: 'receive', kind: t.kind, volume: t.volume, done: t.done, total: t.total };
  for (const v of Object.values(observed?.volumes ?? {})) {
    for (const [peer, p] of Object.entries(v.peers ?? {})) {
      const l = link(peer);
      l.reachable = p.reachable;
      if (!p.reachable) {
        if (!l.lastError) l.lastError = p.error;
        continue;
      }
      const latest = v.storage?.latestGid ?? null;
      if (latest === null) continue;
      const gids = Math.max(0, latest - (p.newestGid ?? 0));
      const since = p.newestAt ? Date.parse(p.newestAt) : NaN;
      l.lag.push({ volume: v.name, gids, seconds: gids === 0 || !Number.isFinite(since) ? 0 : Math.max(0, Math.round((now - since) / 1000)) });
    }
  }
  return [...links.values()].sort((a, b) => a.peer.localeCompare(b.peer));
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The links as Prometheus text (metric names documented in docs/daemon.md). */
export function renderLinkMetrics(links: LinkStatus[], refusals: ReadonlyMap<string, number>): string {
  const out: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, rows: [string, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of rows) out.push(`${name}{${labels}} ${value}`);
  };
  const peer = (l: LinkStatus) => `peer="${esc(l.peer)}"`;
  family('walbctl_wire_link_connected', 'gauge', 'Whether a wire connection to or from the peer is open (1) or not (0).', links.map((l) => [peer(l), l.connected ? 1 : 0]));
  family('walbctl_wire_link_up', 'gauge', 'Whether the peer answered the newest status call (1), did not (0); absent when not asked.', links.filter((l) => l.reachable !== null).map((l) => [peer(l), l.reachable ? 1 : 0]));
  family('walbctl_wire_bytes_sent_total', 'counter', 'Bytes sent to the peer on the wire.', links.map((l) => [peer(l), l.bytesSent]));
  family('walbctl_wire_bytes_received_total', 'counter', 'Bytes received from the peer on the wire.', links.map((l) => [peer(l), l.bytesReceived]));
  family('walbctl_wire_transfers_total', 'counter', 'Transfers with the peer by result.', links.flatMap((l) => [[`${peer(l)},result="done"`, l.transfersDone], [`${peer(l)},result="failed"`, l.transfersFailed]] as [string, number][]));
  family('walbctl_wire_transfer_progress_bytes', 'gauge', 'Bytes done of the transfer in progress with the peer.', links.filter((l) => l.transfer).map((l) => [`${peer(l)},kind="${esc(l.transfer!.kind)}",direction="${l.transfer!.direction}"`, l.transfer!.done]));
  family('walbctl_wire_transfer_total_bytes', 'gauge', 'Bytes in all of the transfer in progress with the peer.', links.filter((l) => l.transfer).map((l) => [`${peer(l)},kind="${esc(l.transfer!.kind)}",direction="${l.transfer!.direction}"`, l.transfer!.total]));
  family('walbctl_wire_lag_gids', 'gauge', 'Gids this storage holds that the remote archive does not yet.', links.flatMap((l) => l.lag.map((g) => [`${peer(l)},volume="${esc(g.volume)}"`, g.gids] as [string, number])));
  family('walbctl_wire_lag_seconds', 'gauge', 'Age of the remote archive\'s newest restorable snapshot while it lags (0 when caught up).', links.flatMap((l) => l.lag.map((g) => [`${peer(l)},volume="${esc(g.volume)}"`, g.seconds] as [string, number])));
  family('walbctl_wire_refusals_total', 'counter', 'Wire requests this host refused because the tree does not allow them, by peer and reason.', [...refusals].map(([key, n]) => {
    const [p, code] = key.split('\t');
    return [`peer="${esc(p!)}",reason="${esc(code!)}"`, n];
  }));
  return out.join('\n') + '\n';
}
