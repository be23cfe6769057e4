/**
 * The proxy role in the daemon: each pass applies the tree to this host's spool (every volume that
 * names this host among its proxies, with its archives), writes the spool limit, and keeps one
 * forwarding loop sending the queues to the archives over the wire. Importing this file registers
 * the log-batch transfer kind, so this host's wire servers take storage hosts' batches.
 */
import type { Logger } from 'pino';

import '../../native/lib/proxy/log-batch.js';
import { Forwarder, type QueueWorkerState } from '../../native/lib/proxy/forwarder.js';
import { writeSpoolConfig } from '../../native/lib/proxy/config.js';
import { applyProxyTree, type ProxiedVolume } from '../../native/lib/proxy/tree.js';
import { sendDiff } from '../../native/lib/wire/index.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';
import { dialAddress } from './peer-address.js';
import type { WireEndpoint } from './wire-endpoint.js';

/** The volumes the tree sends through `host`, each with the archives the proxy feeds: the primary
 *  ones (a secondary archive gets its data by replication from another archive), pure. */
export function proxiedVolumes(desired: DesiredState, host: string): ProxiedVolume[] {
  const out: ProxiedVolume[] = [];
  for (const h of Object.values(desired.hosts)) {
    for (const v of Object.values(h.volumes)) {
      if (v.proxies.includes(host)) out.push({ volume: v.name, archives: v.archives.filter((a) => a.primary).map((a) => ({ host: a.host })) });
    }
  }
  return out.sort((a, b) => a.volume.localeCompare(b.volume));
}

export class ProxyRole {
  private readonly forwarder: Forwarder;

  constructor(
    private readonly host: DesiredHost,
    endpoint: WireEndpoint,
    private readonly desired: () => DesiredState,
    private readonly log: Logger,
  ) {
    this.forwarder = new Forwarder(host.dataDir, {
      send: async (r) => {
        const target = this.desired().hosts[r.archive];
        const at = target ? dialAddress(target) : null;
        if (!at) throw Object.assign(new Error(`archive ${r.archive} has no wire address in the tree`), { policy: 'stop-and-report', reject: 'not-found' });
        await sendDiff(endpoint.client, { host: r.archive, ...at }, { volume: r.volume, uuid: r.uuid, file: r.file, diff: r.diff, explicitEnd: r.explicitEnd });
      },
    });
  }

  /** Applies the tree (idempotent) and makes sure the forwarding loop runs. */
  async sync(): Promise<void> {
    const limit = this.host.roleSettings?.proxy?.spoolLimitBytes;
    if (limit) await writeSpoolConfig(this.host.dataDir, { limitBytes: limit });
    const changes = await applyProxyTree(this.host.dataDir, proxiedVolumes(this.desired(), this.host.name));
    for (const c of changes) this.log.info({ change: c }, `proxy: ${c.kind} ${c.volume}${'archive' in c ? ` → ${c.archive}` : ''}`);
    this.forwarder.start();
  }

  queues(): QueueWorkerState[] {
    return [...this.forwarder.queues.values()];
  }

  async close(): Promise<void> {
    await this.forwarder.stop();
  }
}
