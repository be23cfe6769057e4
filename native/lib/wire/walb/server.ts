/**
 * A TCP server speaking WalB's dialect: each connection runs the first negotiation (this server's
 * node id; an unknown protocol is answered with WalB's error text) and then the handler of the
 * protocol the client named. Unauthenticated and unencrypted, as WalB is: it listens only where the
 * operator put it, for peers the tree marks as WalB (docs/walb.md says what that trusts).
 */
import { createServer, type Server, type Socket } from 'node:net';

import { WalbConn } from './conn.js';
import { negotiateAsServer } from './negotiate.js';

export type WalbHandler = (c: WalbConn, clientId: string) => Promise<unknown>;

export interface WalbServerOptions {
  host: string;
  /** 0: a free port, picked by the system. */
  port: number;
  nodeId: string;
  handlers: Record<string, WalbHandler>;
  /** Told about each connection that failed (the handler threw, or the peer broke the protocol). */
  onError?: (peer: string, error: unknown) => void;
  /** Told about each connection a handler finished, with what it returned. */
  onDone?: (peer: string, protocol: string, result: unknown) => void;
  /** A connection silent this long is dropped (default 120 s). */
  idleMs?: number;
}

export interface RunningWalbServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startWalbServer(o: WalbServerOptions): Promise<RunningWalbServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.setTimeout(o.idleMs ?? 120_000, () => socket.destroy(new Error('idle past the limit')));
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const c = new WalbConn(socket, peer);
    void (async () => {
      try {
        const n = await negotiateAsServer(c, o.nodeId, Object.keys(o.handlers));
        if (!n) return;
        const result = await o.handlers[n.protocol]!(c, n.clientId);
        o.onDone?.(peer, n.protocol, result);
      } catch (error) {
        o.onError?.(peer, error);
      } finally {
        socket.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
