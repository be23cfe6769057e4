/**
 * The proxy's forwarding loop, as a daemon runs it: one worker per (volume, archive), each sending
 * its queue run after run, waiting out a send delay, and backing off (1 s doubling to 300 s, as
 * WalB's proxy) after a back-off reject or a broken link; a halted queue waits to be resumed. Its
 * state per queue (last outcome, error, next try) is plain data for status and metrics.
 */
import { readdir } from 'node:fs/promises';

import { forwardOnce, type ForwardOutcome, type Sender } from './forward.js';
import { proxyPaths, spoolRoot } from './layout.js';
import { readProxyState } from './state.js';

export interface QueueWorkerState {
  volume: string;
  archive: string;
  last: ForwardOutcome['kind'] | null;
  lastError: string | null;
  sent: number;
  nextTryAt: number;
}

export interface ForwarderOptions {
  send: Sender;
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  idleMs?: number;
}

export class Forwarder {
  readonly queues = new Map<string, QueueWorkerState>();
  private backoff = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly dataDir: string, private readonly o: ForwarderOptions) {}

  /** One pass over every queue that is due; resolves to the number of transfers made. */
  async pass(now = Date.now()): Promise<number> {
    let sent = 0;
    for (const vol of (await readdir(spoolRoot(this.dataDir)).catch(() => [] as string[])).filter((n) => !n.startsWith('.'))) {
      const s = await readProxyState(proxyPaths(this.dataDir, vol));
      for (const archive of Object.keys(s?.archives ?? {})) {
        const key = `${vol}/${archive}`;
        const q = this.queues.get(key) ?? { volume: vol, archive, last: null, lastError: null, sent: 0, nextTryAt: 0 };
        this.queues.set(key, q);
        if (q.nextTryAt > now) continue;
        const r = await forwardOnce(this.dataDir, vol, archive, this.o.send).catch((e: unknown) => ({ kind: 'back-off' as const, reason: (e as Error).message }));
        q.last = r.kind;
        if (r.kind === 'sent') {
          q.sent += r.diffs;
          q.lastError = null;
          this.backoff.delete(key);
          sent++;
        } else if (r.kind === 'back-off' || r.kind === 'halted' || r.kind === 'dropped') {
          q.lastError = r.reason;
          if (r.kind === 'back-off') {
            const d = Math.min((this.backoff.get(key) ?? (this.o.firstBackoffMs ?? 1000) / 2) * 2, this.o.maxBackoffMs ?? 300_000);
            this.backoff.set(key, d);
            q.nextTryAt = now + d;
          }
        } else if (r.kind === 'delayed') {
          q.nextTryAt = r.untilMs;
        }
      }
    }
    return sent;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const n = await this.pass().catch(() => 0);
        if (n === 0) await new Promise((r) => setTimeout(r, this.o.idleMs ?? 200));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
