/**
 * Test helpers for the wire: a fleet's PKI made at test time (openssl), servers on 127.0.0.x with
 * ports chosen by the kernel, clients, and a logger that keeps what it was told.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { initCa, issueHost, startWireServer, WireClient, type Authorize, type Logger, type TlsPaths, type WirePeer, type WireServer } from '../../../native/lib/wire/index.js';

export interface Pki {
  dir: string;
  tls(host: string): TlsPaths;
}

export async function makePki(hosts: string[], dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-pki-'))): Promise<Pki> {
  await initCa(dir);
  for (const h of hosts) await issueHost(dir, h);
  return { dir, tls: (host) => ({ ca: join(dir, 'ca.crt'), cert: join(dir, `${host}.crt`), key: join(dir, `${host}.key`) }) };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

export function memoryLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg = '') => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), text: () => lines.map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.obj)}`).join('\n') };
}

export const allowAll: Authorize = () => true;

export async function serve(
  pki: Pki | null,
  host: string,
  o: { address?: string; dataDir: string; authorize?: Authorize; log?: Logger },
): Promise<{ server: WireServer; peer: WirePeer }> {
  const server = await startWireServer({
    host,
    listen: { address: o.address ?? '127.0.0.1', port: 0 },
    dataDir: o.dataDir,
    ...(pki ? { tls: pki.tls(host) } : { insecure: true }),
    authorize: o.authorize ?? allowAll,
    ...(o.log ? { log: o.log } : {}),
  });
  return { server, peer: { host, ...server.address } };
}

export function client(pki: Pki | null, host: string, extra: Partial<ConstructorParameters<typeof WireClient>[0]> = {}): WireClient {
  return new WireClient({ host, ...(pki ? { tls: pki.tls(host) } : { insecure: true }), connectTimeoutMs: 5000, ...extra });
}
