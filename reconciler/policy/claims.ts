/**
 * The paths the desired state gives a host, and who uses each: the devices of the volumes stored
 * there, and the restore targets of the volumes whose primary archive is there. Validation keeps
 * them distinct at one revision (desired/checks/paths.ts); the planner and the executor ask, before
 * deleting or writing a file, whether some other volume now declares it.
 */
import type { DesiredState } from '../model/desired.js';

export interface Claim {
  volume: string;
  /** `restore` with the restore's name, or `device`. */
  use: 'device' | 'restore';
  restore?: string;
}

export type Claims = Map<string, Claim>;

export function hostClaims(desired: DesiredState, host: string): Claims {
  const claims: Claims = new Map();
  for (const h of Object.values(desired.hosts)) {
    for (const v of Object.values(h.volumes)) {
      if (v.host === host) claims.set(v.device.path, { volume: v.name, use: 'device' });
      if (!v.archives.some((a) => a.host === host && a.primary)) continue;
      for (const r of v.restores) if (!claims.has(r.path)) claims.set(r.path, { volume: v.name, use: 'restore', restore: r.name });
    }
  }
  return claims;
}

/** How a claim reads in a message: `volume other's device`. */
export function describeClaim(claim: Claim): string {
  return claim.use === 'device' ? `volume ${claim.volume}'s device` : `volume ${claim.volume}'s restore "${claim.restore}"`;
}

/** The claim on `path` by anything but `volume`'s own restores: another volume, or any device. */
export function claimedByOther(claims: Claims, path: string, volume: string): Claim | null {
  const c = claims.get(path);
  if (!c) return null;
  return c.use === 'restore' && c.volume === volume ? null : c;
}
