/**
 * WalB's first negotiation (protocol.cpp), on every new connection. The client sends its id, the
 * protocol name (strings) and the version (uint32, 1); the server answers its id, then "ok" — or an
 * error text (unknown protocol, other version), after which it closes. The acknowledgement that ends
 * a transfer is the uint32 0x626c6177 ("walb" in little-endian bytes).
 */
import { Encoder } from './cybozu.js';
import type { WalbConn } from './conn.js';
import { WalbRefusal } from './errors.js';

export const WALB_VERSION = 1;
export const ACK = 0x626c6177;

/** The client's side; returns the server's id. */
export async function negotiateAsClient(c: WalbConn, clientId: string, protocol: string): Promise<string> {
  await c.write(new Encoder().string(clientId).string(protocol).u32(WALB_VERSION).bytes());
  const serverId = await c.string('server id');
  const answer = await c.string('negotiation answer');
  if (answer !== 'ok') throw new WalbRefusal(`${serverId} (${c.peer})`, protocol, answer, { retryable: false });
  return serverId;
}

/**
 * The server's side: reads the client's id, protocol and version and answers. Returns null (after
 * answering the error, as WalB does) for a protocol not in `protocols` or another version.
 */
export async function negotiateAsServer(c: WalbConn, serverId: string, protocols: readonly string[]): Promise<{ clientId: string; protocol: string } | null> {
  const clientId = await c.string('client id');
  const protocol = await c.string('protocol name');
  const version = await c.num('version', 32);
  const e = new Encoder().string(serverId);
  if (version !== WALB_VERSION) {
    await c.writeFin(e.string(`run1stNegotiateAsServer version differ c/s ${version} ${WALB_VERSION}`).bytes());
    return null;
  }
  if (!protocols.includes(protocol)) {
    await c.writeFin(e.string(`findServerHandler bad protocol ${protocol} ${clientId}`).bytes());
    return null;
  }
  await c.write(e.string('ok').bytes());
  return { clientId, protocol };
}

export async function readAck(c: WalbConn, what: string): Promise<void> {
  const at = c.offset;
  const v = await c.uint(what, 32);
  if (v !== BigInt(ACK)) c.fail(at, what, `0x${v.toString(16)} is not the acknowledgement 0x626c6177 ("walb")`);
}

export function ackBytes(): Buffer {
  return new Encoder().u32(ACK).bytes();
}
