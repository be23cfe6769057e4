/** Writes a desired-state tree from a map of path → text into a fresh temporary directory. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function writeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'walbctl-desired-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A valid all-in-one host file with one volume; `volume` lines are added under the volume. */
export function hostFile(name = 'h1', volume = ''): string {
  return `host: ${name}
address: 127.0.0.1
roles: [storage, proxy, archive]
dataDir: /srv/walbctl
volumes:
  v1:
    device:
      path: v1.img
      size: 1GiB
    proxies: [${name}]
    archives: [${name}]
    snapshots:
      every: 1h
    retention:
      keepDaily: 7
${volume}`;
}
