/**
 * A volume has exactly one storage host: archives keep volumes by name, so a name declared on two
 * hosts would collide. A log ring (`wdev.ring`) only means something with `capture: wdev`. (Two
 * volumes on one device, or a restore onto a device, are checks/paths.ts.)
 */
import { DEFAULTS } from '../defaults.js';
import type { Fleet } from '../fleet.js';

export function checkStorage(fleet: Fleet): void {
  const owner = new Map<string, string>();
  for (const { host, name, volume } of fleet.volumes()) {
    if (volume.wdev?.ring !== undefined && (volume.capture ?? DEFAULTS.capture) !== 'wdev') {
      fleet.report(host, ['volumes', name, 'wdev', 'ring'], `a log ring is set but capture is ${volume.capture}: set capture: wdev, or remove wdev.ring`);
    }
    const first = owner.get(name);
    if (first !== undefined && first !== host.name) {
      fleet.report(host, ['volumes', name], `volume ${name} is also declared on storage host ${first} (hosts/${first}.yaml): a volume has exactly one storage host`);
    } else owner.set(name, host.name);
  }
}
