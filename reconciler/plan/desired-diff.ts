/**
 * What a commit changes in the desired state, per host and volume, for `walbctl diff`: added,
 * removed and changed hosts and volumes, each changed field with its value before and after, and
 * the changes that destroy data or lift a safeguard called out. Pure: compares two DesiredStates.
 */
import type { DesiredHost, DesiredState, DesiredVolume } from '../model/desired.js';

export type Leaf = string | number | boolean | null;

export interface FieldChange {
  /** Dotted path in the host or volume, e.g. `retention.keepLast`; lists are compared whole. */
  path: string;
  before: Leaf | undefined;
  after: Leaf | undefined;
}

export interface VolumeDiff {
  address: string;
  change: 'added' | 'removed' | 'changed';
  fields: FieldChange[];
  /** Why this change destroys data or removes a safeguard; empty when it does neither. */
  destructive: string[];
}

export interface HostDiff {
  host: string;
  change: 'added' | 'removed' | 'changed' | 'unchanged';
  fields: FieldChange[];
  volumes: VolumeDiff[];
}

export interface DesiredDiff {
  hosts: HostDiff[];
}

export function diffDesired(from: DesiredState, to: DesiredState): DesiredDiff {
  const names = [...new Set([...Object.keys(from.hosts), ...Object.keys(to.hosts)])].sort();
  const hosts: HostDiff[] = [];
  for (const name of names) {
    const a = from.hosts[name];
    const b = to.hosts[name];
    const fields = a && b ? compare(hostFields(a), hostFields(b)) : [];
    const volumes = diffVolumes(a?.volumes ?? {}, b?.volumes ?? {});
    const change = !a ? 'added' : !b ? 'removed' : fields.length > 0 || volumes.length > 0 ? 'changed' : 'unchanged';
    if (change !== 'unchanged') hosts.push({ host: name, change, fields, volumes });
  }
  return { hosts };
}

function diffVolumes(before: Record<string, DesiredVolume>, after: Record<string, DesiredVolume>): VolumeDiff[] {
  const out: VolumeDiff[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[name];
    const b = after[name];
    if (!a && b) out.push({ address: b.address, change: 'added', fields: [], destructive: [] });
    else if (a && !b) {
      const why = [`removed from the tree: its storage and archive data will be cleared`];
      if (a.protect) why.push('it was protected: the clear is refused until protect is removed in an earlier commit');
      out.push({ address: a.address, change: 'removed', fields: [], destructive: why });
    } else if (a && b) {
      const fields = compare(volumeFields(a), volumeFields(b));
      if (fields.length > 0) out.push({ address: b.address, change: 'changed', fields, destructive: destructiveChanges(a, b) });
    }
  }
  return out;
}

function destructiveChanges(a: DesiredVolume, b: DesiredVolume): string[] {
  const why: string[] = [];
  if (a.protect && !b.protect) why.push('protect removed: destructive actions on this volume become possible');
  for (const arch of a.archives) {
    if (!b.archives.some((x) => x.host === arch.host)) why.push(`archive on ${arch.host} removed: it will be cleared`);
  }
  if (JSON.stringify(a.retention) !== JSON.stringify(b.retention)) why.push('retention changed: snapshots no rule keeps any more will be merged away');
  const ageA = a.apply?.olderThanSeconds ?? Number.POSITIVE_INFINITY;
  const ageB = b.apply?.olderThanSeconds ?? Number.POSITIVE_INFINITY;
  if (ageB < ageA) why.push('apply age shortened: more diffs are folded into the base and their snapshots stop being restorable');
  for (const r of a.restores) {
    if (!b.restores.some((x) => x.path === r.path)) why.push(`restore "${r.name}" removed: its image ${r.path} will be deleted`);
  }
  if (a.device.path !== b.device.path) why.push(`device path changed from ${a.device.path} to ${b.device.path}: walbctl does not move data`);
  return why;
}

function hostFields(h: DesiredHost): Record<string, Leaf> {
  const { volumes: _v, source: _s, ...rest } = h;
  return flatten(rest);
}

function volumeFields(v: DesiredVolume): Record<string, Leaf> {
  const { source: _s, address: _a, name: _n, ...rest } = v;
  return flatten(rest);
}

function flatten(value: object, prefix = '', out: Record<string, Leaf> = {}): Record<string, Leaf> {
  for (const [k, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as object, path, out);
    else if (Array.isArray(v)) out[path] = JSON.stringify(v);
    else if (v !== undefined) out[path] = v as Leaf;
  }
  return out;
}

function compare(a: Record<string, Leaf>, b: Record<string, Leaf>): FieldChange[] {
  const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return paths.filter((p) => a[p] !== b[p]).map((p) => ({ path: p, before: a[p], after: b[p] }));
}

export function countDiff(diff: DesiredDiff): { hosts: number; added: number; changed: number; removed: number; destructive: number } {
  const c = { hosts: diff.hosts.length, added: 0, changed: 0, removed: 0, destructive: 0 };
  for (const h of diff.hosts) {
    for (const v of h.volumes) {
      c[v.change] += 1;
      c.destructive += v.destructive.length > 0 ? 1 : 0;
    }
  }
  return c;
}
