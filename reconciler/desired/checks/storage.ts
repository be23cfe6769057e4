/**
 * A volume has exactly one storage host: archives keep volumes by name, so a name declared on two
 * hosts would collide. (Two volumes on one device, or a restore onto a device, are checks/paths.ts.)
 */
import type { Fleet } from '../fleet.js';

export function checkStorage(fleet: Fleet): void {
  const owner = new Map<string, string>();
  for (const { host, name } of fleet.volumes()) {
    const first = owner.get(name);
    if (first !== undefined && first !== host.name) {
      fleet.report(host, ['volumes', name], `volume ${name} is also declared on storage host ${first} (hosts/${first}.yaml): a volume has exactly one storage host`);
    } else owner.set(name, host.name);
  }
}
