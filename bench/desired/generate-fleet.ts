/**
 * Writes a synthetic desired-state tree for the benchmark: storage hosts on two levels of host
 * templates, volumes on three levels of volume templates, proxies, and archives that replicate to
 * one another. Deterministic for given counts.
 *
 * Shape `templated` (the benchmark's fleet): what volumes share lives in templates — a tier
 * (base → silver → gold) and a route (proxy, archives, replication pair) per archive — so a
 * volume names its templates and its device. Shape `inline`: each volume spells out its route
 * (proxies, archives, replication) itself: about twice the YAML for the same fleet.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FleetSize {
  hosts: number;
  volumes: number;
  shape?: 'templated' | 'inline';
}

export function generateFleet(dir: string, size: FleetSize): { storage: number; proxies: number; archives: number } {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['hosts', 'templates/host', 'templates/volume']) mkdirSync(join(dir, sub), { recursive: true });
  const proxies = Math.max(1, Math.round(size.hosts / 100));
  const archives = Math.max(2, Math.round(size.hosts / 25));
  const storage = size.hosts - proxies - archives;
  const write = (path: string, text: string): void => writeFileSync(join(dir, path), text);
  write('templates/host/site.yaml', 'dataDir: /var/lib/walbctl\ndriver: native\ndaemon:\n  interval: 1m\n  listen: 127.0.0.1:9469\n');
  write('templates/host/storage.yaml', 'extends: [site]\nroles: [storage]\nstorage:\n  wlogSize: 4GiB\n');
  write('templates/volume/base.yaml', 'capture: wdev\nsnapshots:\n  every: 1h\nretention:\n  keepLast: 24\nmerge:\n  interval: 1h\n  maxNr: 10\n  maxSize: 1GiB\n');
  write('templates/volume/silver.yaml', 'extends: [base]\nretention:\n  keepDaily: 14\napply:\n  olderThan: 30d\n');
  write('templates/volume/gold.yaml', 'extends: [silver]\nsnapshots:\n  every: 15m\nretention:\n  grid: 4x15m(keep=all) | 48x1h | 30x1d\n  keepDaily: !reset\napply:\n  olderThan: 45d\nprotect: true\n');
  for (let a = 0; a < archives; a++) {
    const next = (a + 1) % archives;
    write(
      `templates/volume/route-${a}.yaml`,
      `proxies: [px-${a % proxies}]\narchives:\n  - ar-${a}\n  - host: ar-${next}\n    primary: false\nreplication:\n  - from: ar-${a}\n    to: ar-${next}\n    mode: async\n    every: 1h\n    compression: lz4\n    bandwidthLimit: 50MiB/s\n`,
    );
  }
  for (let p = 0; p < proxies; p++) write(`hosts/px-${p}.yaml`, `host: px-${p}\nextends: [site]\naddress: 10.1.0.${p}\nroles: [proxy]\n`);
  for (let a = 0; a < archives; a++) write(`hosts/ar-${a}.yaml`, `host: ar-${a}\nextends: [site]\naddress: 10.2.${a >> 8}.${a & 255}\nroles: [archive]\n`);
  let volume = 0;
  for (let s = 0; s < storage; s++) {
    const count = Math.floor(((s + 1) * size.volumes) / storage) - Math.floor((s * size.volumes) / storage);
    const lines = [`host: db-${s}`, 'extends: [storage]', `address: 10.3.${s >> 8}.${s & 255}`, 'volumes:'];
    for (let i = 0; i < count; i++, volume++) {
      const a1 = volume % archives;
      const a2 = (volume + 1) % archives;
      const tier = volume % 3 === 0 ? 'gold' : 'silver';
      lines.push(`  vol-${volume}:`, `    extends: [${size.shape === 'inline' ? tier : `${tier}, route-${a1}`}]`, '    device:', `      path: /dev/vg0/vol-${volume}`, `      size: ${1 + (volume % 64)}GiB`);
      if (size.shape === 'inline') {
        lines.push(
          `    proxies: [px-${a1 % proxies}]`,
          `    archives: [ar-${a1}, {host: ar-${a2}, primary: false}]`,
          '    replication:',
          `      - {from: ar-${a1}, to: ar-${a2}, mode: async, every: 1h, compression: lz4, bandwidthLimit: 50MiB/s}`,
        );
      }
    }
    write(`hosts/db-${s}.yaml`, lines.join('\n') + '\n');
  }
  return { storage, proxies, archives };
}
