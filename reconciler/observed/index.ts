/**
 * observeHost: asks the host's driver for the live state of every volume the host holds — the ones
 * the desired state declares and the ones found on disk that it no longer declares — and returns one
 * ObservedState, plain data the planner takes (and `walbctl show observed --json` prints).
 */
import type { DesiredHost, DesiredState, DesiredVolume } from '../model/desired.js';
import type { ObservedPeerArchive, ObservedState, ObservedVolume } from '../../common/observed.js';
import type { Driver } from '../drivers/driver.js';
import { driverFor } from '../drivers/index.js';
import { restoreOwners } from '../apply/inventory.js';
import { readLastApplied } from './last-applied.js';
import { observePeers, remoteArchives, type AskStatus } from '../fleet/peers.js';
import { observeSpool, type ForwardingFact } from './spool.js';
import { ObserveRound } from './round.js';

export interface ObserveOptions {
  /** The driver to ask; by default the one the host file names. */
  driver?: Driver;
  /** The clock (tests). */
  now?: () => Date;
  /**
   * Told about a volume the driver cannot observe (unreadable metadata, say); the volume is then left
   * out of the result. Without it, the first such error is thrown.
   */
  onVolumeError?: (name: string, error: unknown) => void;
  /** Asks the volumes' archives on other hosts for their status (the daemon's wire client); without
   *  it, remote archives are not observed and plans say so. */
  askPeer?: AskStatus;
  /** A walbctl proxy host: what the daemon's forwarding loop last saw of each queue (its errors). */
  forwarding?: () => readonly ForwardingFact[];
}

export async function observeHost(host: DesiredHost, desired: DesiredState, options: ObserveOptions = {}): Promise<ObservedState> {
  const driver = options.driver ?? (await driverFor(host));
  const now = options.now ?? (() => new Date());
  const proxyRole = host.roles.includes('proxy') ? driver.proxy : undefined;
  const declared = declaredVolumes(host, desired, { proxied: proxyRole !== undefined });
  const onDisk = await driver.listVolumes(host);
  const names = [...new Set([...declared.keys(), ...onDisk])].sort();
  const restoredBy = await restoreOwners(host.dataDir);
  const volumes: Record<string, ObservedVolume> = {};
  const round = new ObserveRound();
  for (const name of names) {
    const target = { host, name, volume: declared.get(name) ?? null, desired, round };
    const volume: ObservedVolume = { name };
    try {
      const storage = host.roles.includes('storage') ? await driver.storage.observe(target) : undefined;
      const archive = host.roles.includes('archive') ? await driver.archive.observe(target) : undefined;
      const proxy = proxyRole ? await proxyRole.observe(target) : undefined;
      if (storage) volume.storage = storage;
      if (proxy) volume.proxy = proxy;
      if (archive) {
        // Which restored images the reconciler made (a copy: drivers may cache what they return).
        const restored = archive.restored.map((r) => ({ ...r, managed: restoredBy.get(r.path) === name }));
        volume.archive = { ...archive, restored };
      }
    } catch (error) {
      if (!options.onVolumeError) throw error;
      options.onVolumeError(name, error);
      continue;
    }
    volumes[name] = volume;
  }
  // A walbctl proxy (no plan actions of its own): the queues of its spool, every volume it holds.
  if (host.roles.includes('proxy') && !proxyRole) {
    const spools = await observeSpool(host, options.forwarding?.() ?? [], now().getTime());
    for (const [name, spool] of Object.entries(spools)) (volumes[name] ??= { name }).spool = spool;
  }
  if (options.askPeer && host.roles.includes('storage')) {
    const peers = await observePeers(host, desired, options.askPeer, now);
    for (const [name, byHost] of Object.entries(peers)) if (volumes[name]) volumes[name].peers = byHost;
  }
  // Archives the driver asks its own way (walb-archives through walbc), with or without the wire.
  if (driver.observePeerArchive && host.roles.includes('storage')) {
    for (const volume of Object.values(host.volumes)) {
      if (!volumes[volume.name]) continue;
      for (const name of remoteArchives(host.name, volume)) {
        const peer = desired.hosts[name];
        if (!peer) continue;
        const seen = await driver.observePeerArchive(peer, volume.name).catch((error: unknown): ObservedPeerArchive => ({
          reachable: false, observedAt: now().toISOString(), error: (error instanceof Error ? error.message : String(error)).split('\n')[0]!,
        }));
        if (seen) (volumes[volume.name]!.peers ??= {})[name] = seen;
      }
    }
  }
  return {
    formatVersion: 1,
    host: host.name,
    observedAt: now().toISOString(),
    volumes,
    lastApplied: await readLastApplied(host.dataDir),
  };
}

/**
 * The volumes a host holds: stored here, or archived here though stored on another host; with
 * `proxied`, also the ones it is a proxy of (a driver whose proxies the planner plans).
 */
export function declaredVolumes(host: DesiredHost, desired: DesiredState, options: { proxied?: boolean } = {}): Map<string, DesiredVolume> {
  const found = new Map<string, DesiredVolume>(Object.entries(host.volumes));
  for (const other of Object.values(desired.hosts)) {
    for (const volume of Object.values(other.volumes)) {
      const here = volume.archives.some((a) => a.host === host.name) || (options.proxied === true && volume.proxies.includes(host.name));
      if (here && !found.has(volume.name)) found.set(volume.name, volume);
    }
  }
  return found;
}
