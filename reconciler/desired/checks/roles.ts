/**
 * Roles fit what a host declares: volumes only on storage hosts, per-role settings only for roles
 * the host has; every proxy and archive a volume names exists and has that role; every host a
 * volume lets restore it (restoreHosts) exists.
 */
import type { Role } from '../../model/desired.js';
import type { Fleet, ResolvedHost } from '../fleet.js';
import type { Segment } from '../locate.js';

export function checkRoles(fleet: Fleet): void {
  for (const host of fleet.hosts.values()) {
    if (!host.valid) continue;
    const roles = host.raw.roles ?? [];
    if (!roles.includes('storage') && Object.keys(host.raw.volumes ?? {}).length > 0) {
      fleet.report(host, ['volumes'], `host ${host.name} has volumes but not the storage role (roles: ${roles.join(', ')})`);
    }
    for (const role of ['storage', 'proxy', 'archive'] as const) {
      if (host.raw[role] !== undefined && !roles.includes(role)) fleet.report(host, [role], `settings for the ${role} role, but host ${host.name} does not have it`);
    }
  }
  for (const { host, name, volume } of fleet.volumes()) {
    volume.proxies?.forEach((p, i) => reference(fleet, host, ['volumes', name, 'proxies', i], p, 'proxy'));
    volume.archives?.forEach((a, i) => {
      const ref = typeof a === 'string' ? a : a.host;
      reference(fleet, host, ['volumes', name, 'archives', i, ...(typeof a === 'string' ? [] : ['host'])], ref, 'archive');
    });
    volume.restoreHosts?.forEach((h, i) => {
      if (!fleet.hosts.has(h) && !fleet.unreadable.has(h)) fleet.report(host, ['volumes', name, 'restoreHosts', i], `no host ${JSON.stringify(h)} (no hosts/${h}.yaml)`);
    });
  }
}

/** Reports a reference to a host that does not exist or lacks `role`; true when it is fine. */
export function reference(fleet: Fleet, host: ResolvedHost, path: Segment[], name: string, role: Role): boolean {
  const roles = fleet.roles(name);
  if (fleet.unreadable.has(name)) return false;
  if (!fleet.hosts.has(name)) {
    fleet.report(host, path, `no host ${JSON.stringify(name)} (no hosts/${name}.yaml)`);
    return false;
  }
  if (roles && !roles.includes(role)) {
    fleet.report(host, path, `host ${name} does not have the ${role} role (roles: ${roles.join(', ')})`);
    return false;
  }
  return true;
}
