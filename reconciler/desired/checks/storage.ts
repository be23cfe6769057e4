/**
 * A volume has exactly one storage host (archives keep volumes by name, so a name declared on two
 * hosts would collide), and two volumes on one host never share a device path.
 */
import { isAbsolute, resolve } from 'node:path';

import type { Fleet } from '../fleet.js';

export function checkStorage(fleet: Fleet, options: { root: string }): void {
  const owner = new Map<string, string>();
  const devices = new Map<string, string>();
  const dataDirs = new Map<string, string>();
  for (const { host, name, volume } of fleet.volumes()) {
    const first = owner.get(name);
    if (first !== undefined && first !== host.name) {
      fleet.report(host, ['volumes', name], `volume ${name} is also declared on storage host ${first} (hosts/${first}.yaml): a volume has exactly one storage host`);
    } else owner.set(name, host.name);
    const path = volume.device?.path;
    if (typeof path !== 'string') continue;
    let dataDir = dataDirs.get(host.name);
    if (dataDir === undefined) dataDirs.set(host.name, (dataDir = resolve(options.root, host.raw.dataDir ?? '.')));
    const key = `${host.name}\0${isAbsolute(path) ? resolve(path) : resolve(dataDir, path)}`;
    const other = devices.get(key);
    if (other !== undefined) fleet.report(host, ['volumes', name, 'device', 'path'], `volume ${other} on this host uses the same device ${path}`);
    else devices.set(key, name);
  }
}
