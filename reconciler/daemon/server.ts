/**
 * The daemon's HTTP server on its loopback address: `GET /status` (JSON), `GET /metrics`
 * (Prometheus text), `POST /reconcile` (reconcile now), `GET /healthz`.
 */
import { createServer, type Server } from 'node:http';

import type { ListenAddress } from './listen.js';

export interface StatusServerHandlers {
  status(): unknown;
  metrics(): Promise<string>;
  reconcileNow(): void;
}

export interface StatusServer {
  /** The port actually bound (differs from the requested one when that was 0). */
  port: number;
  close(): Promise<void>;
}

export async function startStatusServer(address: ListenAddress, handlers: StatusServerHandlers): Promise<StatusServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'GET' && path === '/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(handlers.status(), null, 2) + '\n');
      } else if (req.method === 'GET' && path === '/metrics') {
        const text = await handlers.metrics();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
      } else if (req.method === 'POST' && path === '/reconcile') {
        handlers.reconcileNow();
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}\n');
      } else if (req.method === 'GET' && path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /status, /metrics, POST /reconcile\n');
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return {
    port: typeof bound === 'object' && bound ? bound.port : address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
