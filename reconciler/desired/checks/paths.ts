/**
 * Every path the tree names on one host — each volume's device, its log ring, the restore targets its
 * primary archive writes — must be distinct: a restore that wrote onto another volume's device, or two
 * volumes on one device, destroys data. Paths are compared after normalisation as the loader makes
 * them (a relative path is taken from the declaring host's data directory, `..` collapsed) and, where
 * they exist when the tree is checked, with symbolic links resolved. A collision names both places.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

import type { Fleet, ResolvedHost } from '../fleet.js';
import { formatRef } from '../diagnostic.js';
import { diagnoseAt, type Segment } from '../locate.js';
import type { RawVolume } from '../raw-types.js';

interface NamedPath {
  /** The host whose machine the path is on. */
  on: string;
  /** Normalised absolute path, symbolic links resolved where they exist. */
  path: string;
  /** As declared, made absolute with `..` collapsed. */
  declared: string;
  /** What names it, for the message: `volume v1's device`. */
  what: string;
  host: ResolvedHost;
  segments: Segment[];
}

export function checkPaths(fleet: Fleet, options: { root: string }): void {
  const seen = new Map<string, NamedPath>();
  const dataDirs = new Map<string, string>();
  const canonical = canonicalPaths();
  for (const { host, name, volume } of fleet.volumes()) {
    let dataDir = dataDirs.get(host.name);
    if (dataDir === undefined) dataDirs.set(host.name, (dataDir = resolve(options.root, host.raw.dataDir ?? '.')));
    for (const named of namedPaths(host, name, volume, (raw) => (isAbsolute(raw) ? resolve(raw) : resolve(dataDir!, raw)))) {
      named.path = canonical(named.declared);
      const key = `${named.on}\0${named.path}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, named);
        continue;
      }
      const at = formatRef(diagnoseAt(fleet.treeOf(first.host), first.segments, ''));
      const same = first.declared === named.declared ? named.declared : `${named.declared}, the same file as ${first.declared}`;
      fleet.report(host, named.segments, `${named.what} is ${same} on host ${named.on}, which is already ${first.what} (${at}): every path a host uses must be distinct`);
    }
  }
}

/** The paths one volume names, each on the host that uses it. */
function namedPaths(host: ResolvedHost, name: string, volume: RawVolume, normalise: (raw: string) => string): NamedPath[] {
  const out: NamedPath[] = [];
  const add = (on: string, raw: unknown, what: string, segments: Segment[]): void => {
    if (typeof raw !== 'string' || raw === '') return;
    const declared = normalise(raw);
    out.push({ on, path: declared, declared, what, host, segments });
  };
  add(host.name, volume.device?.path, `volume ${name}'s device`, ['volumes', name, 'device', 'path']);
  add(host.name, volume.wdev?.ring, `volume ${name}'s log ring`, ['volumes', name, 'wdev', 'ring']);
  const primaries = new Set<string>();
  for (const a of volume.archives ?? []) {
    if (typeof a === 'string') primaries.add(a);
    else if (a && typeof a.host === 'string' && a.primary !== false) primaries.add(a.host);
  }
  (volume.restores ?? []).forEach((r, i) => {
    for (const on of primaries) add(on, r?.path, `volume ${name}'s restore "${r?.name}"`, ['volumes', name, 'restores', i, 'path']);
  });
  return out;
}

/** A path with symbolic links resolved as far as it exists (`/a/link/x.img` where `/a/link` exists),
 *  folders remembered: volumes of a host mostly share a few folders. */
function canonicalPaths(): (path: string) => string {
  const folders = new Map<string, string>();
  const folder = (dir: string): string => {
    let real = folders.get(dir);
    if (real === undefined) {
      try {
        real = realpathSync(dir);
      } catch {
        const parent = dirname(dir);
        real = parent === dir ? dir : join(folder(parent), basename(dir));
      }
      folders.set(dir, real);
    }
    return real;
  };
  return (path) => {
    try {
      return realpathSync(path);
    } catch {
      return join(folder(dirname(path)), basename(path));
    }
  };
}
