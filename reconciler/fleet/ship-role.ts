/**
 * The storage role's log shipping in the daemon: every wdev volume of this host whose tree names
 * `proxies` has a shipping loop (native/lib/wdev/shipper.ts) sending its log in batches to the
 * first proxy that is up, over the daemon's wire endpoint, with failover and back. Each pass brings
 * the loops to the tree: a volume that gains proxies starts shipping (once its first backup made
 * capture.json), a changed proxy list restarts the loop with the new order, and a volume whose
 * proxies the tree removed is drained (the log written so far shipped) and then stopped. A loop
 * stopped by an overflow is started again once the plan's hash backup cleared it. A proxy the tree
 * marks `driver: walb` (WalB's walb-proxy) gets the batches with WalB's own wlog-transfer and is
 * probed with WalB's heartbeat (native/lib/wire/walb/), unencrypted, at its proxy.listen.
 */
import { stat } from 'node:fs/promises';

import type { Logger } from 'pino';

import '../../native/lib/proxy/log-batch.js';
import { sendLogBatch } from '../../native/lib/proxy/log-batch.js';
import { readCaptureOrNull } from '../../native/lib/wdev/capture-state.js';
import { wdevPaths } from '../../native/lib/wdev/paths.js';
import { ProxyFailover, type ProxyHealth, type ProxyPeer } from '../../native/lib/wdev/proxy-failover.js';
import { Shipper, type ShipperState } from '../../native/lib/wdev/shipper.js';
import { wdevStatus } from '../../native/lib/wdev/status.js';
import { wireStatus } from '../../native/lib/wire/index.js';
import { ShippingTracker } from './ship-tracker.js';
import type { ObservedShipping } from '../../common/observed.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';
import { walbHostType } from '../../native/lib/wire/walb/host-type.js';
import { walbBatchSender } from '../../native/lib/wire/walb/ship.js';
import { dialAddress, walbProxyAddress } from './peer-address.js';
import type { WireEndpoint } from './wire-endpoint.js';

/**
 * The volumes `host` stores and ships through proxies on other hosts, each with those proxies in the
 * tree's order (pure). A host named as its own proxy ships at each snapshot on the host instead.
 */
export function shippedVolumes(desired: DesiredState, host: string): { volume: string; proxies: string[] }[] {
  const h = desired.hosts[host];
  if (!h) return [];
  return Object.values(h.volumes)
    .filter((v) => v.host === host && v.capture === 'wdev')
    .map((v) => ({ volume: v.name, proxies: v.proxies.filter((p) => p !== host) }))
    .filter((v) => v.proxies.length > 0)
    .sort((a, b) => a.volume.localeCompare(b.volume));
}

export interface ShippingStatus extends ShipperState {
  proxies: ProxyHealth[];
  /** The proxy batches go to now, or null when none is up. */
  current: string | null;
  draining: boolean;
}

interface Loop {
  key: string;
  shipper: Shipper;
  failover: ProxyFailover;
  tracker: ShippingTracker;
  draining: boolean;
}

export interface ShipRoleOptions {
  /** Cap on one batch (default WalB's 128 MiB). */
  maxBatchBytes?: number;
  /** Bound on draining a volume whose proxies left the tree (default 60 s). */
  drainMs?: number;
  /** Each shipped volume's observed facts, every second (status and metrics). */
  onView?: (volume: string, view: ObservedShipping) => void;
}

export class ShipRole {
  private readonly loops = new Map<string, Loop>();
  private readonly drains = new Set<Promise<void>>();

  constructor(
    private readonly host: DesiredHost,
    private readonly endpoint: WireEndpoint,
    private readonly desired: () => DesiredState,
    private readonly log: Logger,
    private readonly o: ShipRoleOptions = {},
  ) {}

  /** Brings the shipping loops to the tree (idempotent); called at the start of every pass. */
  async sync(): Promise<void> {
    const wanted = shippedVolumes(this.desired(), this.host.name);
    const names = new Set(wanted.map((w) => w.volume));
    for (const [vol, loop] of this.loops) {
      if (!names.has(vol) && !loop.draining) this.drain(vol, loop);
    }
    for (const w of wanted) {
      const key = w.proxies.join(',');
      const loop = this.loops.get(w.volume);
      if (loop && loop.key === key && !loop.draining && !(loop.shipper.state.overflowed && !(await this.overflowed(w.volume)))) continue;
      if (!(await this.ready(w.volume))) continue;
      if (loop) {
        await loop.tracker.stop();
        await loop.shipper.stop();
        this.loops.delete(w.volume);
        this.log.info({ volume: w.volume }, loop.shipper.state.overflowed ? `ship: ${w.volume}: the overflow is cleared; shipping again` : `ship: ${w.volume}: proxies now ${w.proxies.join(', ')}`);
      }
      this.start(w.volume, w.proxies, key);
    }
  }

  /** Per shipped volume: the loop's counters, the proxies' health and which one takes batches now. */
  status(): Record<string, ShippingStatus> {
    const out: Record<string, ShippingStatus> = {};
    for (const [vol, l] of this.loops) {
      out[vol] = { ...l.shipper.state, proxies: l.failover.health.map((h) => ({ ...h })), current: l.failover.current()?.host ?? null, draining: l.draining };
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.loops.values()].map(async (l) => {
      await l.tracker.stop();
      await l.shipper.stop();
    }));
    this.loops.clear();
    await Promise.all([...this.drains]);
  }

  private start(vol: string, proxies: string[], key: string): void {
    const peers: ProxyPeer[] = [];
    // WalB's proxies (`driver: walb`) take the log with WalB's wlog-transfer, unencrypted, at their proxy.listen.
    const walb = new Set<string>();
    for (const name of proxies) {
      const h = this.desired().hosts[name];
      if (h?.driver === 'walb') walb.add(name);
      const at = h ? (h.driver === 'walb' ? walbProxyAddress(h) : dialAddress(h)) : null;
      if (at) peers.push({ host: name, ...at });
      else this.log.warn({ volume: vol, proxy: name }, `ship: ${vol}: proxy ${name} has no proxy.listen in the tree; skipped`);
    }
    if (peers.length === 0) return;
    const client = this.endpoint.client;
    const me = this.host.name;
    const failover = new ProxyFailover(peers, {
      send: (peer, meta, wlog) =>
        walb.has(peer.host) ? walbBatchSender({ host: peer.address, port: peer.port }, me)(meta, wlog) : sendLogBatch(client, peer, { meta, wlog, checkpointBytes: 4 << 20 }),
      probe: (peer, timeoutMs) => (walb.has(peer.host) ? walbHostType({ host: peer.address, port: peer.port }, me, timeoutMs) : wireStatus(client, peer, vol)),
    });
    let lastError: string | null = null;
    const shipper = new Shipper(this.host.dataDir, vol, failover, {
      ...(this.o.maxBatchBytes ? { maxBatchBytes: this.o.maxBatchBytes } : {}),
      onBatch: (b) => this.log.debug({ volume: vol, gid: b.gid, lsid: b.lsid, bytes: b.bytes, proxy: failover.current()?.host }, `ship: ${vol}: gid ${b.gid} (lsid ${b.lsid.b}-${b.lsid.e}) acknowledged`),
      onError: (message) => {
        if (message !== lastError) this.log.warn({ volume: vol, proxies: failover.describe() }, `ship: ${vol}: ${message}`);
        lastError = message;
      },
    });
    const tracker = new ShippingTracker(this.host.dataDir, vol, {
      // A walb-proxy has no wire status call (walbctl's TLS there would hold one of its few connections
      // until its socket timeout): how far it converted and forwarded is not known.
      ask: async (peer) => (walb.has(peer.host) ? null : ((await wireStatus(client, peer, vol)).proxies?.[vol] ?? null)),
      peers: () => {
        // The proxy batches go to now, and any other proxy that took batches: each holds part of the log.
        const now = failover.current();
        return peers.filter((p, i) => p === now || failover.health[i]!.batches > 0);
      },
      ...(this.o.onView ? { onView: (view: ObservedShipping) => this.o.onView!(vol, view) } : {}),
    });
    this.loops.set(vol, { key, shipper, failover, tracker, draining: false });
    shipper.start();
    tracker.start();
    this.log.info({ volume: vol, proxies }, `ship: ${vol}: shipping its log to ${peers.map((p) => p.host).join(', then ')}`);
  }

  /**
   * Ships what is written so far, then stops the loop: batches go on until the log is shipped, the
   * first batch that does not go (the proxy now refuses a volume the tree took from it), an overflow,
   * or the time bound. What is left stays in the ring — never freed unacknowledged — for the plan's
   * snapshots (a local archive) or the next proxy the tree names.
   */
  private drain(vol: string, loop: Loop): void {
    loop.draining = true;
    const bound = Date.now() + (this.o.drainMs ?? 60_000);
    const p = (async () => {
      await loop.shipper.stop();
      try {
        for (;;) {
          const target = (await wdevStatus(this.host.dataDir, vol).catch(() => null))?.permanentLsid;
          const cap = await readCaptureOrNull(wdevPaths(this.host.dataDir, vol).capture).catch(() => null);
          if (!cap || target === undefined || (cap.shipped.lsid >= target && cap.queue.length === 0)) break;
          const shipped = await loop.shipper.once(Number.MAX_SAFE_INTEGER);
          if ((!shipped && loop.shipper.state.lastError) || Date.now() > bound) {
            this.log.warn({ volume: vol, shippedLsid: cap.shipped.lsid, writtenLsid: target }, `ship: ${vol}: the tree names no proxy any more; stopped with lsids ${cap.shipped.lsid}-${target} not shipped (${loop.shipper.state.lastError ?? 'out of time'}): they stay in the log`);
            return;
          }
        }
        this.log.info({ volume: vol }, `ship: ${vol}: the tree names no proxy any more; its log is shipped and the loop stopped`);
      } finally {
        await loop.tracker.stop();
        if (this.loops.get(vol) === loop) this.loops.delete(vol);
      }
    })();
    this.drains.add(p);
    void p.finally(() => this.drains.delete(p));
  }

  /** Ships only once the volume's capture started (its first backup wrote capture.json). */
  private async ready(vol: string): Promise<boolean> {
    const p = wdevPaths(this.host.dataDir, vol);
    const exists = await stat(p.capture).then(() => true, () => false);
    return exists && !(await this.overflowed(vol));
  }

  private async overflowed(vol: string): Promise<boolean> {
    return (await wdevStatus(this.host.dataDir, vol).catch(() => null))?.overflow ?? false;
  }
}
