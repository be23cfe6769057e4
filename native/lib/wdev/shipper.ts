/**
 * The storage's shipping loop for one wdev volume, as a daemon runs it: ship a batch when there is
 * new log (ship-log.ts), at most one per `gatherMs` (500 ms: the log written meanwhile goes in one
 * batch instead of five; a batch that took longer is followed at once), to the first proxy that is
 * up (proxy-failover.ts, whose heartbeat runs alongside); when no proxy takes a batch, keep the log
 * and back off (1 s doubling to 30 s, ended early when a heartbeat brings a proxy back);
 * on an overflow stop and report it — the plan's hash backup is the way back. Its state is plain
 * data for status and metrics.
 */
import { removeDeadTemps } from '../archive/files.js';
import { WdevOverflowError } from './errors.js';
import { wdevPaths } from './paths.js';
import type { ProxyFailover } from './proxy-failover.js';
import { shipLogBatch, type ShippedBatch } from './ship-log.js';

export interface ShipperState {
  volume: string;
  batches: number;
  bytes: number;
  last: ShippedBatch | null;
  lastError: string | null;
  overflowed: boolean;
  nextTryAt: number;
}

export interface ShipperOptions {
  maxBatchBytes?: number;
  /** How often a new batch is looked for while nothing is written (default 100 ms). */
  idleMs?: number;
  /**
   * The least time from one batch's cut to the next (default 500 ms). Each batch costs the storage,
   * the proxy and the archive a fixed amount (a TLS session, the capture state's fsyncs, the
   * conversion's files): at 16 MiB/s of writes batches cut back to back came every ~100 ms at 2 MiB
   * each. Gathering adds at most this to the recovery point.
   */
  gatherMs?: number;
  /**
   * After a failed batch the loop waits firstBackoffMs (default 1 s), doubling up to maxBackoffMs
   * (default 30 s: the ring fills while it waits, and a try costs one connection per proxy); a
   * heartbeat that brings a proxy back ends the wait.
   */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  onBatch?: (b: ShippedBatch, cutAtMs: number) => void;
  /** A batch that did not go (no proxy took it, the wdev server is down, an overflow). */
  onError?: (message: string) => void;
}

export class Shipper {
  readonly state: ShipperState;
  private running = false;
  private loop: Promise<void> | null = null;
  private delay = 0;
  /** The failover's recovery count when the last batch failed. */
  private recoveriesAtFailure = 0;
  /** When the last batch was cut (the gather counts from it). */
  private lastCutAt = 0;

  constructor(private readonly dataDir: string, volume: string, private readonly proxies: ProxyFailover, private readonly o: ShipperOptions = {}) {
    this.state = { volume, batches: 0, bytes: 0, last: null, lastError: null, overflowed: false, nextTryAt: 0 };
  }

  /** Ships one batch if one is due; resolves to it, or null (nothing new, waiting, or failed). */
  async once(now = Date.now()): Promise<ShippedBatch | null> {
    if (this.state.overflowed) return null;
    // A heartbeat that found a proxy answering again ends the backoff: the ring may be filling.
    if (now < this.state.nextTryAt && this.proxies.recoveries === this.recoveriesAtFailure) return null;
    const cut = (this.lastCutAt = Date.now());
    try {
      const b = await shipLogBatch(this.dataDir, this.state.volume, this.proxies.sender(), this.o.maxBatchBytes ? { maxBatchBytes: this.o.maxBatchBytes } : {});
      this.delay = 0;
      this.state.lastError = null;
      if (b) {
        this.state.batches++;
        this.state.bytes += b.bytes;
        this.state.last = b;
        this.o.onBatch?.(b, cut);
      }
      return b;
    } catch (e) {
      this.state.lastError = (e as Error).message;
      this.recoveriesAtFailure = this.proxies.recoveries;
      this.o.onError?.(this.state.lastError);
      if (e instanceof WdevOverflowError) this.state.overflowed = true;
      else {
        this.delay = Math.min(this.delay ? this.delay * 2 : this.o.firstBackoffMs ?? 1000, this.o.maxBackoffMs ?? 30_000);
        this.state.nextTryAt = Date.now() + this.delay;
      }
      return null;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.proxies.start();
    this.loop = (async () => {
      // What a storage killed mid-write left beside capture.json (atomic writes' temp files) goes first.
      await removeDeadTemps(wdevPaths(this.dataDir, this.state.volume).dir).catch(() => 0);
      while (this.running) {
        if (!(await this.once())) {
          await this.sleep(this.o.idleMs ?? 100);
          continue;
        }
        // Until gatherMs after the cut by the wall clock (a timer may fire a millisecond early of it).
        const gather = this.o.gatherMs ?? 500;
        for (let left = this.lastCutAt + gather - Date.now(); left > 0 && this.running; left = this.lastCutAt + gather - Date.now()) await this.sleep(left);
      }
    })();
  }

  private wake: (() => void) | null = null;

  /** Sleeps `ms`, or until stop(). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => ((this.wake = null), resolve()), ms);
      this.wake = () => (clearTimeout(t), (this.wake = null), resolve());
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.proxies.stop();
    await this.loop;
  }
}
