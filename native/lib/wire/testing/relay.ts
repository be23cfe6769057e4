/**
 * A TCP relay for fault tests and scripts/wire-faults.mjs: it forwards one listener to a target and,
 * per connection, may inject one fault — cut the connection after N bytes, stall it (forward
 * nothing more, keep it open) after N bytes, or flip one byte at offset N — in the upstream
 * (client → server) or downstream direction. It counts what it injected.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface RelayFault {
  kind: 'cut' | 'stall' | 'flip';
  /** Byte offset in the chosen direction's stream where the fault happens. */
  atByte: number;
  direction: 'up' | 'down';
}

export interface RelayCounts {
  connections: number;
  cut: number;
  stall: number;
  flip: number;
}

export interface Relay {
  address: { address: string; port: number };
  counts: RelayCounts;
  /** Sends later connections to another target (a receiver restarted on a new port). */
  retarget(target: { address: string; port: number }): void;
  close(): Promise<void>;
}

export interface RelayOptions {
  listen: { address: string; port?: number };
  target: { address: string; port: number };
  /** The fault for the n-th connection (0-based), or null to relay it faithfully. */
  plan: (n: number) => RelayFault | null;
}

export async function startRelay(o: RelayOptions): Promise<Relay> {
  const counts: RelayCounts = { connections: 0, cut: 0, stall: 0, flip: 0 };
  const sockets = new Set<Socket>();
  let target = o.target;
  const server: Server = createServer((client) => {
    const fault = o.plan(counts.connections++);
    const upstream = connect({ host: target.address, port: target.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    pipe(client, upstream, fault?.direction === 'up' ? fault : null, counts, end);
    pipe(upstream, client, fault?.direction === 'down' ? fault : null, counts, end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port ?? 0, o.listen.address, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    address: { address: a.address, port: a.port },
    counts,
    retarget: (t) => void (target = t),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function pipe(from: Socket, to: Socket, fault: RelayFault | null, counts: RelayCounts, end: () => void): void {
  let seen = 0;
  let stalled = false;
  from.on('data', (chunk: Buffer) => {
    if (stalled) return;
    const start = seen;
    seen += chunk.length;
    if (fault && fault.atByte >= start && fault.atByte < seen) {
      const at = fault.atByte - start;
      if (fault.kind === 'cut') {
        counts.cut++;
        to.write(chunk.subarray(0, at), () => end());
        fault = null;
        return;
      }
      if (fault.kind === 'stall') {
        counts.stall++;
        stalled = true;
        to.write(chunk.subarray(0, at));
        return;
      }
      counts.flip++;
      chunk = Buffer.from(chunk);
      chunk[at]! ^= 0x10;
      fault = null;
    }
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
}
