/**
 * The proxy role in the daemon: each pass applies the tree to this host's spool (every volume that
 * names this host among its proxies, with its primary archives and its synchronized sync targets), writes the spool limit, and keeps one
 * forwarding loop sending the queues to the archives over the wire. Importing this file registers
 * the log-batch transfer kind, so this host's wire servers take storage hosts' batches.
 */
import type { Logger } from 'pino';

import '../../native/lib/proxy/log-batch.js';
import { Forwarder, type QueueWorkerState } from '../../native/lib/proxy/forwarder.js';
import { writeSpoolConfig } from '../../native/lib/proxy/config.js';
import { proxyPaths } from '../../native/lib/proxy/layout.js';
import { readProxyState } from '../../native/lib/proxy/state.js';
import { resumeArchive } from '../../native/lib/proxy/archives.js';
import { applyProxyTree, type ProxiedVolume } from '../../native/lib/proxy/tree.js';
import { sendDiff } from '../../native/lib/wire/index.js';
import type { DesiredHost, DesiredState, DesiredVolume } from '../model/desired.js';
import { dialAddress } from './peer-address.js';
import type { WireEndpoint } from './wire-endpoint.js';

/**
 * The volumes the tree sends through `host`, each with the archives the proxy feeds: the primary
 * ones, and the target of each sync pair from a primary once `joined` says it is synchronized (it
 * holds the volume: WalB's synchronize adds the archive to the proxies after replicating to it);
 * any other secondary archive gets its data by replication from another archive. Pure.
 */
export function proxiedVolumes(desired: DesiredState, host: string, joined: (volume: string, target: string) => boolean = () => false): ProxiedVolume[] {
  const out: ProxiedVolume[] = [];
  for (const h of Object.values(desired.hosts)) {
    for (const v of Object.values(h.volumes)) {
      if (!v.proxies.includes(host)) continue;
      const primaries = v.archives.filter((a) => a.primary).map((a) => ({ host: a.host }));
      const synced = syncTargets(v).filter((t) => joined(v.name, t)).map((t) => ({ host: t }));
      out.push({ volume: v.name, archives: [...primaries, ...synced] });
    }
  }
  return out.sort((a, b) => a.volume.localeCompare(b.volume));
}

/** The targets of a volume's sync pairs that start at a primary archive (and are not primaries themselves). */
export function syncTargets(v: DesiredVolume): string[] {
  const primaries = new Set(v.archives.filter((a) => a.primary).map((a) => a.host));
  return [...new Set(v.replication.filter((p) => p.mode === 'sync' && primaries.has(p.from) && !primaries.has(p.to)).map((p) => p.to))];
}

export class ProxyRole {
  private readonly forwarder: Forwarder;

  constructor(
    private readonly host: DesiredHost,
    private readonly endpoint: WireEndpoint,
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
    const desired = this.desired();
    const joined = await this.synchronized(desired);
    const changes = await applyProxyTree(this.host.dataDir, proxiedVolumes(desired, this.host.name, (v, t) => joined.has(`${v}\t${t}`)));
    for (const c of changes) this.log.info({ change: c }, `proxy: ${c.kind} ${c.volume}${'archive' in c ? ` → ${c.archive}` : ''}`);
    await this.resumeFound(desired);
    this.forwarder.start();
  }

  /**
   * A queue halted because its archive had no archive of the volume (not-found: a primary archive
   * the proxy feeds before its base exists) resumes once the archive holds the volume: its base
   * arrives by the storage host's planned full backup, and the diffs kept meanwhile then land (those
   * older than the base are refused too-old and dropped).
   */
  private async resumeFound(desired: DesiredState): Promise<void> {
    for (const h of Object.values(desired.hosts)) {
      for (const v of Object.values(h.volumes)) {
        if (!v.proxies.includes(this.host.name)) continue;
        const state = await readProxyState(proxyPaths(this.host.dataDir, v.name));
        for (const [archive, a] of Object.entries(state?.archives ?? {})) {
          const peer = desired.hosts[archive];
          if (a.halted?.reject !== 'not-found' || !peer) continue;
          const now = (await this.endpoint.askStatus(peer, v.name).catch(() => null))?.archive?.state;
          if (now === undefined || now === 'Clear') continue;
          await resumeArchive(this.host.dataDir, v.name, archive);
          this.log.info({ volume: v.name, archive }, `proxy: ${v.name} → ${archive}: the archive holds the volume now (${now}); forwarding resumes`);
        }
      }
    }
  }

  /**
   * Sync targets this proxy feeds: one it feeds already stays; another joins once its archive holds
   * the volume (the status call says Archived: the sync pair's replication caught it up). A diff the
   * target still lacks the predecessor of is refused too-new and retried while the source archive's
   * `synchronize` replication fills the gap; one it already holds is refused too-old and dropped.
   */
  private async synchronized(desired: DesiredState): Promise<Set<string>> {
    const out = new Set<string>();
    for (const h of Object.values(desired.hosts)) {
      for (const v of Object.values(h.volumes)) {
        if (!v.proxies.includes(this.host.name)) continue;
        const state = await readProxyState(proxyPaths(this.host.dataDir, v.name));
        for (const t of syncTargets(v)) {
          const had = state?.archives[t];
          const peer = desired.hosts[t];
          let ok = had !== undefined && !had.leaving;
          if (!ok && peer) ok = (await this.endpoint.askStatus(peer, v.name).catch(() => null))?.archive?.state === 'Archived';
          if (ok) out.add(`${v.name}\t${t}`);
        }
      }
    }
    return out;
  }

  queues(): QueueWorkerState[] {
    return [...this.forwarder.queues.values()];
  }

  async close(): Promise<void> {
    await this.forwarder.stop();
  }
}
