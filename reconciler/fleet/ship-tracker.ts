/**
 * What a storage knows of its shipped log, kept in `shipping.json` (native/lib/wdev/shipping-state.ts)
 * for the observed state, status and metrics: every second, where the log ends now (a mark dating
 * the writes) and what the proxies answer — the newest lsid each converted and, per archive, the
 * newest lsid and gid the archive acknowledged. A proxy that does not answer keeps its last answer.
 */
import type { ObservedShipping } from '../../common/observed.js';
import type { ProxyVolumeView } from '../../native/lib/proxy/observe.js';
import { readCaptureOrNull, settledView } from '../../native/lib/wdev/capture-state.js';
import { emptyShipping, markLogEnd, readShipping, shippingView, writeShipping, type ShippingState } from '../../native/lib/wdev/shipping-state.js';
import type { ProxyPeer } from '../../native/lib/wdev/proxy-failover.js';
import { wdevPaths } from '../../native/lib/wdev/paths.js';
import { wdevStatus } from '../../native/lib/wdev/status.js';

export interface TrackerOptions {
  /** The proxy's view of the volume (the wire's status call), or null when it holds none. */
  ask: (peer: ProxyPeer) => Promise<ProxyVolumeView | null>;
  /** The proxies to ask this round. */
  peers: () => ProxyPeer[];
  everyMs?: number;
  /** The observed facts after each round (status and metrics show them live). */
  onView?: (view: ObservedShipping) => void;
}

export class ShippingTracker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private state: ShippingState | null = null;

  constructor(private readonly dataDir: string, private readonly vol: string, private readonly o: TrackerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().catch(() => {}).finally(() => (this.running = null));
    }, this.o.everyMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round: mark the log's end, ask the proxies, write shipping.json. */
  async tick(): Promise<void> {
    const p = wdevPaths(this.dataDir, this.vol);
    this.state ??= (await readShipping(p)) ?? emptyShipping();
    const s = this.state;
    const st = await wdevStatus(this.dataDir, this.vol).catch(() => null);
    // Where the log of every acknowledged write ends (the latest lsid), not what the last flush made
    // permanent: a writer's writes not flushed yet are writes the archives lack too.
    if (st) markLogEnd(s, st.latestLsid, Date.now());
    await Promise.all(
      this.o.peers().map(async (peer) => {
        const view = await this.o.ask(peer).catch(() => undefined);
        if (view === undefined) return; // no answer: keep the last one
        s.proxies[peer.host] = {
          at: Date.now(),
          receivedLsid: view?.receivedLsid ?? null,
          archives: Object.fromEntries((view?.queues ?? []).map((q) => [q.archive, q.archivedLsid === null || q.archivedGid === null ? null : { lsid: q.archivedLsid, gid: q.archivedGid }])),
        };
      }),
    );
    await writeShipping(p, s);
    const cap = await readCaptureOrNull(p.capture).catch(() => null);
    if (cap && st) this.o.onView?.(shippingView(s, settledView(cap, st.oldestLsid), st.latestLsid, Date.now()));
  }
}
