/**
 * A walbctl archive host's endpoint for WalB's walb-proxies: when the host file sets
 * `archive.walbListen`, the daemon serves WalB's wdiff-transfer there (native/lib/wire/walb, plain
 * TCP: WalB's protocol has no TLS and no authentication). An offer is taken only for a volume the tree
 * gives this host as a primary archive, from the address of one of that volume's proxies that the tree
 * marks `driver: walb` (its `address`, or the host of its `proxy.listen`); anything else is answered
 * `archive-not-found` (walb-proxy then stops forwarding it until an operator acts) and logged.
 */
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

import type { Logger } from 'pino';

import { archiveWdiffSink } from '../../native/lib/wire/walb/archive-sink.js';
import { type RunningWalbServer, startWalbServer } from '../../native/lib/wire/walb/server.js';
import { serveWdiffTransfer, type WdiffOffer, type WdiffOutcome } from '../../native/lib/wire/walb/wdiff-transfer.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';
import { parseHostPort } from './peer-address.js';

/** The names and addresses (as the tree writes them) of the walb-proxies that may send `volume` to `host`. Pure. */
export function walbSenders(desired: DesiredState, host: string, volume: string): { host: string; addresses: string[] }[] {
  for (const h of Object.values(desired.hosts)) {
    const v = h.volumes[volume];
    if (!v || !v.archives.some((a) => a.host === host && a.primary)) continue;
    return v.proxies.map((p) => desired.hosts[p]).filter((p): p is DesiredHost => p?.driver === 'walb').map((p) => {
      const listen = p.roleSettings?.proxy?.listen;
      const addresses = [p.address, ...(listen ? [parseHostPort(listen, `hosts/${p.name}.yaml: proxy.listen`).address] : [])];
      return { host: p.name, addresses: [...new Set(addresses)].filter((a) => a !== '0.0.0.0' && a !== '::') };
    });
  }
  return [];
}

/** Resolves names once per call (an IP stays as it is). */
async function resolveAll(addresses: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const a of addresses) {
    if (isIP(a)) out.add(a);
    else for (const r of await lookup(a, { all: true }).catch(() => [])) out.add(r.address);
  }
  return out;
}

export class WalbEndpoint {
  private constructor(readonly server: RunningWalbServer) {}

  /** Starts the endpoint when the host has the archive role and `archive.walbListen`; else null. */
  static async start(host: DesiredHost, desired: () => DesiredState, log: Logger): Promise<WalbEndpoint | null> {
    const listen = host.roleSettings?.archive?.walbListen;
    if (!listen || !host.roles.includes('archive')) return null;
    const at = parseHostPort(listen, `hosts/${host.name}.yaml: archive.walbListen`);
    const allowed = new Map<string, boolean>();
    const sink = archiveWdiffSink(host.dataDir, { allow: (o) => allowed.get(key(o)) === true, onAdded: (o, file) => log.info({ volume: o.volume, proxy: o.clientId, file }, `walb: ${o.volume}: diff ${file} from walb-proxy ${o.clientId} added`) });
    const key = (o: WdiffOffer) => `${o.peerAddress}/${o.volume}`;
    const server = await startWalbServer({
      host: at.address,
      port: at.port,
      nodeId: host.name,
      handlers: {
        'wdiff-transfer': (c, clientId) =>
          serveWdiffTransfer(c, clientId, {
            ...sink,
            // The address check needs DNS for names in the tree: done here, then the sink's allow reads it.
            decide: async (o) => {
              const senders = walbSenders(desired(), host.name, o.volume);
              const ok = (await resolveAll(senders.flatMap((s) => s.addresses))).has(o.peerAddress);
              allowed.set(key(o), ok);
              if (!ok) log.warn({ volume: o.volume, peer: o.peerAddress, proxy: o.clientId }, `walb: refused a wdiff-transfer of ${o.volume} from ${o.peerAddress} (${o.clientId}): not the address of a walb-proxy the tree gives that volume`);
              return sink.decide(o);
            },
          }),
      },
      onDone: (peer, _protocol, r) => {
        const o = r as WdiffOutcome;
        if (o.answer !== 'accept') log.info({ volume: o.offer.volume, peer, answer: o.answer }, `walb: ${o.offer.volume}: answered ${o.answer} to ${o.offer.clientId}`);
      },
      onError: (peer, error) => log.warn({ peer, err: error }, `walb: a wdiff-transfer from ${peer} failed: ${(error as Error).message}`),
    });
    log.warn({ listen }, `walb: serving WalB's wdiff-transfer on ${listen} (plain TCP, no authentication: only the tree's walb-proxies' addresses are taken)`);
    return new WalbEndpoint(server);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
