/**
 * Which proxy a storage ships to: the first reachable one of the volume's `proxies`, in order (WalB's
 * priority list). A proxy that fails a send (unreachable, cut, or refusing: busy, full, stopped) is
 * marked down and the next one is tried; a heartbeat probes every proxy (WalB: every 10 s, 3 s
 * timeout) and brings a recovered one back, so shipping returns to the first proxy once it answers.
 * A down proxy is skipped only while another one takes the batches: when every proxy up fails (or
 * none is up), the down ones are tried too, in order, before the batch is given up — a lone proxy
 * that refused once (stopped before its daemon started the volume, busy, full) is not left unasked
 * until the next heartbeat while the ring fills. `recoveries` counts the proxies a heartbeat brought
 * back, so the shipping loop can retry at once instead of waiting out its backoff.
 * A `drop` reject (the proxy holds that range or newer) counts as delivered: the log may go.
 */
import type { BatchMeta } from '../proxy/admit.js';
import type { BatchSender, BatchWlog } from './ship-log.js';

export interface ProxyPeer {
  host: string;
  address: string;
  port: number;
}

export interface ProxyHealth {
  host: string;
  up: boolean;
  lastError: string | null;
  lastOkAt: string | null;
  batches: number;
}

export interface FailoverOptions {
  /** Delivers a batch to one proxy (the wire's log-batch transfer). */
  send: (peer: ProxyPeer, meta: BatchMeta, wlog: BatchWlog) => Promise<unknown>;
  /** Checks that a proxy answers (the wire's status call), within `timeoutMs`. */
  probe: (peer: ProxyPeer, timeoutMs: number) => Promise<unknown>;
  heartbeatMs?: number;
  probeTimeoutMs?: number;
}

export class ProxyFailover {
  readonly health: ProxyHealth[];
  /** How many times a heartbeat found a down proxy answering again. */
  recoveries = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly proxies: readonly ProxyPeer[], private readonly o: FailoverOptions) {
    this.health = proxies.map((p) => ({ host: p.host, up: true, lastError: null, lastOkAt: null, batches: 0 }));
  }

  /** The proxy batches go to now: the first one up, in the tree's order. */
  current(): ProxyPeer | null {
    const i = this.health.findIndex((h) => h.up);
    return i < 0 ? null : this.proxies[i]!;
  }

  /** A BatchSender that tries the proxies in order from the first one up. */
  sender(): BatchSender {
    return async (meta, wlog) => {
      let last: unknown = null;
      // The proxies up first, in order; then, as a last resort, those that were down.
      const wasUp = this.health.map((h) => h.up);
      const order = [...wasUp.keys()].filter((i) => wasUp[i]).concat([...wasUp.keys()].filter((i) => !wasUp[i]));
      for (const i of order) {
        const h = this.health[i]!;
        try {
          await this.o.send(this.proxies[i]!, meta, wlog);
          this.ok(i);
          h.batches++;
          return;
        } catch (e) {
          if ((e as { policy?: string }).policy === 'drop') {
            this.ok(i);
            return;
          }
          h.up = false;
          h.lastError = (e as Error).message;
          last = e;
        }
      }
      throw last ?? new Error(`no proxy of volume ${meta.volume} is reachable (${this.describe()})`);
    };
  }

  /** Probes every proxy once; a proxy that answers is up again. */
  async heartbeat(): Promise<void> {
    const timeout = this.o.probeTimeoutMs ?? 3000;
    await Promise.all(
      this.proxies.map(async (p, i) => {
        try {
          await withTimeout(this.o.probe(p, timeout), timeout, `${p.host}: no answer within ${timeout} ms`);
          if (!this.health[i]!.up) this.recoveries++;
          this.ok(i);
        } catch (e) {
          this.health[i]!.up = false;
          this.health[i]!.lastError = (e as Error).message;
        }
      }),
    );
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.heartbeat(), this.o.heartbeatMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  describe(): string {
    return this.health.map((h) => `${h.host} ${h.up ? 'up' : `down (${h.lastError ?? 'not probed'})`}`).join(', ');
  }

  private ok(i: number): void {
    const h = this.health[i]!;
    h.up = true;
    h.lastError = null;
    h.lastOkAt = new Date().toISOString();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(t));
}
