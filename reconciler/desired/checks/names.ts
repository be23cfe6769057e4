/**
 * Names become file and directory names on every host (archives, restores, journals): they must
 * be safe as one path component. A host's `host:` field must match its file's name.
 */
import type { Fleet } from '../fleet.js';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RULE = 'use 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit';

export function unsafeName(name: string): string | null {
  return SAFE.test(name) ? null : `unsafe name ${JSON.stringify(name)}: ${RULE}`;
}

export function checkNames(fleet: Fleet): void {
  for (const host of fleet.hosts.values()) {
    const problem = unsafeName(host.name);
    if (problem) fleet.diagnostics.push({ file: host.file, line: 0, col: 0, path: '', message: `file name: ${problem}`, setIn: null, via: [] });
    if (typeof host.raw.host === 'string' && host.raw.host !== host.name) {
      fleet.report(host, ['host'], `is ${JSON.stringify(host.raw.host)} but the file is ${host.file}: the host's name is its file's name`);
    }
  }
  for (const { host, name, volume } of fleet.volumes()) {
    const problem = unsafeName(name);
    if (problem) fleet.report(host, ['volumes', name], problem);
    volume.restores?.forEach((r, i) => {
      const bad = unsafeName(r.name);
      if (bad) fleet.report(host, ['volumes', name, 'restores', i, 'name'], bad);
    });
  }
}
