/**
 * A host's end of the wire, as the daemon (and a CLI command sending to another host) uses it: the
 * wire servers on the roles' listen addresses, authorizing every request from the tree; one client
 * for calls to peers; the status call the planner's observation makes; and the per-link counters the
 * status page and /metrics show. The wire itself (native/lib/wire) knows nothing of the tree.
 */
import type { Logger } from 'pino';

import { startWireServer, WireClient, WireMetrics, wireStatus, type WirePeer, type WireRequest, type WireServer } from '../../native/lib/wire/index.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';
import { authorize } from './authorize.js';
import { dialAddress, wireListens, type WireAddress } from './peer-address.js';
import type { AskStatus, PeerVolumeStatus } from './peers.js';
import { operationOf } from './wire-kinds.js';
import { SendBoard } from './send-board.js';

export interface WireEndpointOptions {
  host: DesiredHost;
  /** The current desired state: authorization follows the newest good revision. */
  desired: () => DesiredState;
  log: Logger;
  /** Serve on the roles' listen addresses (the daemon); a CLI command only dials. */
  serve: boolean;
  /** Overrides every listen address (tests: `127.0.0.12:0`). */
  listen?: string;
  /** Bound on one status call (ms). */
  statusTimeoutMs?: number;
}

export class WireEndpoint {
  readonly metrics = new WireMetrics();
  readonly client: WireClient;
  readonly sending = new SendBoard();
  /** Refusals this host made, by peer and reason code (the tree said no). */
  readonly refusals = new Map<string, number>();
  private servers: WireServer[] = [];

  private constructor(private readonly o: WireEndpointOptions) {
    const w = o.host.wire;
    this.client = new WireClient({ host: o.host.name, ...(w?.insecure ? { insecure: true } : { tls: w!.tls }), connectTimeoutMs: 5_000, metrics: this.metrics });
  }

  static async start(o: WireEndpointOptions): Promise<WireEndpoint> {
    const e = new WireEndpoint(o);
    if (o.serve) await e.listen();
    return e;
  }

  /** The addresses the servers are bound to (ports resolved). */
  get addresses(): WireAddress[] {
    return this.servers.map((s) => s.address);
  }

  private async listen(): Promise<void> {
    const { host, log } = this.o;
    const w = host.wire!;
    const wanted = this.o.listen ? [this.parseOverride(this.o.listen)] : wireListens(host);
    if (w.insecure && wanted.length) log.warn({ host: host.name }, `host ${host.name} declares insecure: true — the wire runs as plain TCP: no encryption, peers named by their own word`);
    for (const listen of wanted) {
      const server = await startWireServer({
        host: host.name,
        listen,
        dataDir: host.dataDir,
        ...(w.insecure ? { insecure: true } : { tls: w.tls }),
        authorize: (peer, request) => this.authorize(peer, request),
        log,
        metrics: this.metrics,
      });
      this.servers.push(server);
      log.info({ address: server.address }, `wire: ${host.name} serves its archive and proxy roles on ${server.address.address}:${server.address.port}`);
    }
  }

  private parseOverride(value: string): WireAddress {
    const i = value.lastIndexOf(':');
    return { address: value.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(value.slice(i + 1)) };
  }

  /** The tree decides; a refusal is counted by peer and reason (the server logs it with the peer). */
  authorize(peer: string, request: WireRequest): true | string {
    const operation = operationOf(request.kind);
    const verdict = operation === null
      ? { allowed: false as const, code: 'unknown-kind', message: `no rule in the tree for wire kind "${request.kind}"` }
      : authorize(this.o.desired(), this.o.host.name, peer, { operation, volume: request.volume ?? null });
    if (verdict.allowed) return true;
    const key = `${peer}\t${verdict.code}`;
    this.refusals.set(key, (this.refusals.get(key) ?? 0) + 1);
    return `${verdict.code}: ${verdict.message}`;
  }

  /** How to dial `peer`: its address and port from the tree, the name its certificate must carry. */
  peerRef(peer: DesiredHost): WirePeer {
    const a = dialAddress(peer);
    if (!a) throw new Error(`host ${peer.name} has no archive or proxy role: nothing listens there`);
    return { host: peer.name, address: a.address, port: a.port };
  }

  /** The status call, bounded in time. */
  readonly askStatus: AskStatus = async (peer, volume) => {
    const ms = this.o.statusTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no status answer within ${ms / 1000} s`)), ms);
    });
    try {
      const st = await Promise.race([wireStatus(this.client, this.peerRef(peer), volume), timeout]);
      const partial = st.partials.find((p) => p.volume === volume) ?? null;
      const running = st.transfers.find((t) => t.volume === volume);
      const answer: PeerVolumeStatus = {
        archive: st.archives[volume] ?? null,
        ...(st.chains ? { chain: st.chains[volume] ?? null } : {}),
        ...(st.deviceUuids ? { deviceUuid: st.deviceUuids[volume] ?? null } : {}),
        partial: partial ? { kind: partial.kind, offset: running?.done ?? partial.offset, total: running?.total ?? Number(partial.identity.sizeBytes ?? 0) } : null,
      };
      return answer;
    } finally {
      clearTimeout(timer);
    }
  };

  /** What the servers are receiving now, for the status page. */
  receiving() {
    return this.servers.flatMap((s) => s.board.list());
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
    this.servers = [];
  }
}
