/**
 * One merged, checked host to its DesiredHost, volumes included. The data directory is absolute
 * (a relative one is taken from the tree's root).
 */
import { isAbsolute, resolve } from 'node:path';

import type { DesiredHost, DesiredVolume, HostWire } from '../model/desired.js';
import { DEFAULTS } from './defaults.js';
import type { PMap } from './node.js';
import type { RawHost } from './raw-types.js';
import { durationSeconds as parseDuration, rateBytes as parseRate, sizeBytes as parseSize } from './units.js';
import { normaliseVolume } from './normalise-volume.js';

export function normaliseHost(host: { name: string; raw: RawHost; tree: PMap }, options: { root: string }): DesiredHost {
  const raw = host.raw;
  const dataDir = isAbsolute(raw.dataDir!) ? resolve(raw.dataDir!) : resolve(options.root, raw.dataDir!);
  const roles = [...raw.roles!];
  const volumes: Record<string, DesiredVolume> = {};
  const volumeTrees = host.tree.entries.get('volumes');
  for (const [name, volume] of Object.entries(raw.volumes ?? {})) {
    const node = volumeTrees?.kind === 'map' ? volumeTrees.entries.get(name) : undefined;
    volumes[name] = normaliseVolume(volume, { host: host.name, name, dataDir, source: node?.at ?? host.tree.at });
  }
  return {
    name: host.name,
    address: raw.address!,
    roles,
    dataDir,
    createDataDir: raw.createDataDir === true,
    dataDirSource: host.tree.entries.get('dataDir')?.at ?? host.tree.at,
    driver: raw.driver ?? DEFAULTS.driver,
    ...(raw.walb?.taskTimeout ? { walb: { taskTimeoutSeconds: parseDuration(raw.walb.taskTimeout) } } : {}),
    daemon: { intervalSeconds: parseDuration(raw.daemon?.interval ?? DEFAULTS.daemonInterval), listen: raw.daemon?.listen ?? DEFAULTS.daemonListen },
    volumes,
    source: host.tree.at,
    roleSettings: {
      storage: roles.includes('storage') ? { wlogSizeBytes: parseSize(raw.storage?.wlogSize ?? DEFAULTS.wlogSize), ...(raw.storage?.listen ? { listen: raw.storage.listen } : {}) } : null,
      proxy: roles.includes('proxy') ? { listen: raw.proxy?.listen ?? `${raw.address!}:${DEFAULTS.proxyPort}`, spoolLimitBytes: parseSize(raw.proxy?.spoolLimit ?? DEFAULTS.spoolLimit) } : null,
      archive: roles.includes('archive') ? { listen: raw.archive?.listen ?? `${raw.address!}:${DEFAULTS.archivePort}`, ...(raw.archive?.walbListen ? { walbListen: raw.archive.walbListen } : {}) } : null,
    },
    wire: hostWire(host.name, raw, dataDir),
  };
}

/** TLS paths (relative ones from the data directory; by default `tls/` there), plain TCP, bandwidth. */
function hostWire(name: string, raw: RawHost, dataDir: string): HostWire {
  const path = (p: string): string => (isAbsolute(p) ? resolve(p) : resolve(dataDir, p));
  const tls = raw.tls ?? { ca: `${DEFAULTS.tlsDir}/ca.crt`, cert: `${DEFAULTS.tlsDir}/${name}.crt`, key: `${DEFAULTS.tlsDir}/${name}.key` };
  return {
    tls: { ca: path(tls.ca), cert: path(tls.cert), key: path(tls.key) },
    insecure: raw.insecure ?? false,
    bandwidthLimitBytes: raw.bandwidthLimit === undefined || raw.bandwidthLimit === null ? null : parseRate(raw.bandwidthLimit),
  };
}
