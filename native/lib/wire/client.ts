/**
 * The client side: connect to a peer's wire listener (TLS 1.3, this host's certificate, the
 * server's certificate must name the expected host), exchange hellos, send one request and read
 * the accept. One connection per request, as WalB's protocols do.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, checkServerIdentity, type TLSSocket } from 'node:tls';

import { LinkError, type PeerRef } from './errors.js';
import { FrameChannel, type ChannelOptions } from './frame/channel.js';
import { MAX_PAYLOAD } from './frame/codec.js';
import { checkHello, makeHello } from './protocol/hello.js';
import { PROTOCOL_VERSION, WIRE_CODECS, type Accept, type Hello, type WireCodec, type WireRequest } from './protocol/messages.js';
import { WireReject } from './protocol/rejects.js';
import { WireSession } from './protocol/session.js';
import { WireMetrics } from './metrics.js';
import { TransferBoard } from './protocol/transfers-board.js';
import { TlsMaterial, type TlsPaths } from './tls/material.js';

export interface WirePeer {
  /** The peer's host name: its certificate must name it. */
  host: string;
  address: string;
  port: number;
}

export interface WireClientOptions {
  /** This host's name (as its certificate says). */
  host: string;
  tls?: TlsPaths;
  insecure?: boolean;
  /** Give up connecting (TCP + TLS + hello) after this long (ms, default 10 s). */
  connectTimeoutMs?: number;
  metrics?: WireMetrics;
  channel?: ChannelOptions;
  /** Codecs this client offers for data frames (default both: lz4, none). `['none']` sends images raw. */
  codecs?: readonly WireCodec[];
  /** The newest protocol version to speak (default this build's): a mixed fleet's older peer, in tests. */
  maxVersion?: number;
}

/** A client of one host: holds its TLS material (reloaded on change) and its link metrics. */
export class WireClient {
  readonly metrics: WireMetrics;
  /** Transfers this client is sending now, with their progress (the daemon's status page reads it). */
  readonly board = new TransferBoard();
  private readonly material: TlsMaterial | null;

  constructor(readonly opts: WireClientOptions) {
    if (!opts.insecure && !opts.tls) throw new Error(`wire client of ${opts.host}: tls {ca, cert, key} is required unless insecure: true`);
    this.material = opts.insecure ? null : new TlsMaterial(opts.tls!);
    this.metrics = opts.metrics ?? new WireMetrics();
  }

  private dial(peer: WirePeer, ref: PeerRef): Promise<Socket> {
    const timeout = this.opts.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      let s: Socket | TLSSocket;
      const fail = (e: Error): void => {
        clearTimeout(timer);
        s.destroy();
        reject(new LinkError(ref, `cannot connect: ${e.message}`, { cause: e }));
      };
      const timer = setTimeout(() => fail(new Error(`no connection within ${timeout} ms`)), timeout);
      const done = (): void => {
        clearTimeout(timer);
        s.off('error', fail);
        resolve(s);
      };
      if (this.material) {
        s = tlsConnect({
          host: peer.address,
          port: peer.port,
          servername: peer.host,
          secureContext: this.material.secureContext,
          minVersion: 'TLSv1.3',
          rejectUnauthorized: true,
          checkServerIdentity: (_name, cert) => checkServerIdentity(peer.host, cert),
        });
        s.once('secureConnect', done);
      } else {
        s = tcpConnect({ host: peer.address, port: peer.port });
        s.once('connect', done);
      }
      s.once('error', fail);
    });
  }

  /**
   * Opens a request on a new connection: resolves with the session and the peer's accept, or
   * rejects with WireReject (typed refusal) or LinkError (could not talk).
   */
  async open(peer: WirePeer, request: Omit<WireRequest, 't'>): Promise<{ session: WireSession; accept: Accept }> {
    const ref: PeerRef = { host: peer.host, address: `${peer.address}:${peer.port}` };
    const link = this.metrics.link(peer.host);
    let channel: FrameChannel | null = null;
    try {
      const socket = await this.dial(peer, ref);
      channel = new FrameChannel(socket, ref, this.opts.channel);
      const bare = new WireSession(channel, ref, []);
      const mine = Math.min(PROTOCOL_VERSION, this.opts.maxVersion ?? PROTOCOL_VERSION);
      await bare.send(makeHello(this.opts.host, { maxPayload: MAX_PAYLOAD }, this.opts.codecs ?? WIRE_CODECS, mine));
      const hello = await bare.expect<Hello>('hello', this.opts.connectTimeoutMs ?? 10_000);
      const problem = checkHello(hello);
      if (problem) throw new WireReject('version-unsupported', problem, ref);
      const session = new WireSession(
        channel,
        ref,
        (this.opts.codecs ?? WIRE_CODECS).filter((c) => hello.codecs.includes(c)),
        Math.min(mine, hello.version),
      );
      await session.send({ t: 'request', ...request });
      const accept = await session.expect<Accept>('accept', 120_000);
      link.connected++;
      const ch = channel;
      channel.socket.once('close', () => {
        link.connected--;
        link.bytesSent += ch.counters.bytesOut;
        link.bytesReceived += ch.counters.bytesIn;
      });
      return { session, accept };
    } catch (e) {
      if (e instanceof WireReject) link.refused++;
      this.metrics.error(peer.host, (e as Error).message);
      channel?.fail(e as Error);
      throw e;
    }
  }
}
