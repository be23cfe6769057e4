/**
 * The wire's listener: TLS 1.3 with mutual authentication (or plain TCP when the host says
 * insecure, with a warning at every start). Each connection: hello → request → authorize → the
 * kind serves it. The peer's identity is decided once, at the door, from its certificate, and the
 * `authorize` callback (the reconciler's view of the tree) says what that host may do.
 */
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

import { isVolumeName } from '../archive/layout.js';
import { LinkError, peerName, type PeerRef } from './errors.js';
import { FrameChannel, type ChannelOptions } from './frame/channel.js';
import { MAX_PAYLOAD } from './frame/codec.js';
import { findKind } from './protocol/kinds.js';
import { silentLogger, type Logger } from './protocol/log.js';
import { PROTOCOL_VERSION, WIRE_CODECS, type Hello, type WireRequest } from './protocol/messages.js';
import { WireReject } from './protocol/rejects.js';
import { WireSession } from './protocol/session.js';
import { TransferBoard } from './protocol/transfers-board.js';
import { checkHello, makeHello } from './protocol/hello.js';
import { WireMetrics } from './metrics.js';
import { peerHostOf } from './tls/identity.js';
import { TlsMaterial, type TlsPaths } from './tls/material.js';
import './transfers/builtin.js';

/** What the tree says: may `peerHost` make this request? Return a reason string to refuse. */
export type Authorize = (peerHost: string, request: WireRequest) => boolean | string | Promise<boolean | string>;

export interface WireServerOptions {
  /** This host's name (as in the tree and in its certificate). */
  host: string;
  /** Address and port to listen on (port 0: any free port). */
  listen: { address: string; port: number };
  dataDir: string;
  tls?: TlsPaths;
  /** Plain TCP: no encryption, the peer's hello names it. Logged as a warning at start. */
  insecure?: boolean;
  authorize: Authorize;
  log?: Logger;
  metrics?: WireMetrics;
  channel?: ChannelOptions;
}

export class WireServer {
  readonly board = new TransferBoard();
  readonly metrics: WireMetrics;
  private readonly log: Logger;
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  private material: TlsMaterial | null = null;

  constructor(private readonly opts: WireServerOptions) {
    this.metrics = opts.metrics ?? new WireMetrics();
    this.log = opts.log ?? silentLogger;
  }

  async start(): Promise<this> {
    const o = this.opts;
    if (o.insecure) {
      this.log.warn({ host: o.host, listen: o.listen }, 'wire: insecure: true — plain TCP, no encryption and no authentication of peers');
      this.server = createTcpServer((s) => void this.handle(s, null));
    } else {
      if (!o.tls) throw new Error(`wire server of ${o.host}: tls {ca, cert, key} is required unless insecure: true`);
      this.material = new TlsMaterial(o.tls);
      const tlsServer = createTlsServer({ ...this.material.secureOptions, requestCert: true, rejectUnauthorized: false }, (s) => void this.handle(s, s));
      // Rotated certificates: checked before each handshake (prepended, so it runs before TLS starts).
      tlsServer.prependListener('connection', () => {
        try {
          if (this.material!.refresh()) {
            tlsServer.setSecureContext(this.material!.secureOptions);
            this.log.info({ host: o.host }, 'wire: TLS certificate reloaded');
          }
        } catch (e) {
          this.log.error({ host: o.host, err: (e as Error).message }, 'wire: TLS files do not load; keeping the previous certificate');
        }
      });
      tlsServer.on('tlsClientError', (err, s) => {
        const peer = { host: '', address: s.remoteAddress ?? '?' };
        this.refuse(peer, `TLS handshake failed: ${err.message}`);
      });
      this.server = tlsServer;
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(o.listen.port, o.listen.address, () => resolve());
    });
    this.log.info({ host: o.host, address: this.address }, 'wire: listening');
    return this;
  }

  get address(): { address: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { address: a.address, port: a.port };
  }

  private refuse(peer: PeerRef, reason: string): void {
    const key = peer.host || peer.address;
    this.metrics.link(key).refused++;
    this.metrics.error(key, reason);
    this.log.warn({ peer: peer.host || null, address: peer.address, reason }, `wire: refused ${peerName(peer)}: ${reason}`);
  }

  private async handle(socket: Socket, tlsSocket: TLSSocket | null): Promise<void> {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const address = `${socket.remoteAddress}:${socket.remotePort}`;
    let peer: PeerRef = { host: '', address };
    if (tlsSocket) {
      const host = peerHostOf(tlsSocket);
      if (!host) {
        const why = tlsSocket.authorizationError ? String(tlsSocket.authorizationError) : 'no certificate';
        this.refuse(peer, `certificate not accepted (${why})`);
        socket.destroy();
        return;
      }
      peer = { host, address };
    }
    const channel = new FrameChannel(socket, peer, this.opts.channel);
    let session: WireSession | null = null;
    let counted = false;
    try {
      const hello = await new WireSession(channel, peer, []).expect<Hello>('hello', 10_000);
      const problem = checkHello(hello);
      if (problem) throw new WireReject('version-unsupported', problem);
      if (!tlsSocket) peer = { host: hello.host, address };
      else if (hello.host !== peer.host) throw new WireReject('not-authorized', `hello names host "${hello.host}" but the certificate is for "${peer.host}"`);
      const link = this.metrics.link(peer.host);
      link.connected++;
      counted = true;
      const codecs = WIRE_CODECS.filter((c) => hello.codecs.includes(c));
      session = new WireSession(channel, peer, codecs, Math.min(PROTOCOL_VERSION, hello.version));
      await session.send(makeHello(this.opts.host, { maxPayload: MAX_PAYLOAD }));
      const request = await session.expect<WireRequest>('request', 30_000);
      if (request.volume !== undefined && (typeof request.volume !== 'string' || !isVolumeName(request.volume))) throw new WireReject('not-found', `"${String(request.volume)}" is not a volume name`);
      const kind = findKind(request.kind);
      if (!kind) throw new WireReject('unknown-kind', `no transfer kind "${request.kind}" here`);
      const verdict = await this.opts.authorize(peer.host, request);
      if (verdict !== true) {
        throw new WireReject('not-authorized', `${peer.host} may not ${request.kind}${request.volume ? ` volume ${request.volume}` : ''}${typeof verdict === 'string' ? ` (${verdict})` : ''}`);
      }
      await kind.serve({ session, request, dataDir: this.opts.dataDir, log: this.log, board: this.board });
      if (request.kind !== 'status') link.transfersDone++;
      await session.close().catch(() => {});
    } catch (e) {
      const err = e as Error;
      if (e instanceof WireReject) {
        this.refuse(peer, err.message);
        await (session ?? new WireSession(channel, peer, [])).reject(e.reject, e.detail);
        await channel.close().catch(() => {});
      } else {
        const key = peer.host || peer.address;
        this.metrics.link(key).transfersFailed++;
        this.metrics.error(key, err.message);
        if (!(e instanceof LinkError)) this.log.error({ peer: peer.host, address, err: err.message }, `wire: ${peerName(peer)}: ${err.message}`);
        await (session ?? new WireSession(channel, peer, [])).send({ t: 'error', message: err.message }).catch(() => {});
        channel.fail(e instanceof LinkError ? e : new LinkError(peer, err.message));
      }
    } finally {
      const l = this.metrics.link(peer.host || peer.address);
      l.bytesReceived += channel.counters.bytesIn;
      l.bytesSent += channel.counters.bytesOut;
      if (counted) l.connected--;
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function startWireServer(opts: WireServerOptions): Promise<WireServer> {
  return new WireServer(opts).start();
}
