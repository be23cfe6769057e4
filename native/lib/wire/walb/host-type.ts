/**
 * WalB's heartbeat, as walb-storage checks its proxies (`runGetHostTypeClient`: every 10 s, 3 s
 * timeout): protocol `get`, the string vector ["host-type"], the answer "ok" (or an error text), the
 * value, and the acknowledgement. walbctl's storage probes a walb-proxy with it.
 */
import { createConnection } from 'node:net';

import { WalbConn } from './conn.js';
import { Encoder } from './cybozu.js';
import { WalbRefusal } from './errors.js';
import { negotiateAsClient, readAck } from './negotiate.js';
import type { WalbTarget } from './wlog-transfer.js';

/** The server's host type (`storage`, `proxy`, `archive`), within `timeoutMs`. */
export async function walbHostType(target: WalbTarget, clientId: string, timeoutMs = 3_000): Promise<string> {
  const peer = `${target.host}:${target.port}`;
  const socket = createConnection({ host: target.host, port: target.port });
  const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const c = new WalbConn(socket, peer);
  try {
    const serverId = await negotiateAsClient(c, clientId, 'get');
    await c.write(new Encoder().strings(['host-type']).bytes());
    const answer = await c.string('get answer');
    if (answer !== 'ok') throw new WalbRefusal(`${serverId} (${peer})`, 'get host-type', answer, { retryable: true });
    const type = await c.string('host type', 64);
    await readAck(c, 'acknowledgement');
    return type;
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
