import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { formatDiagnostic } from '../../../../reconciler/desired/diagnostic.js';
import { loadDesiredState } from '../../../../reconciler/desired/load.js';
import { hostFile, writeTree } from '../tree-fixture.js';

/** A second volume v2 on host h1, its device at `device`, with `extra` lines under it. */
function withV2(device: string, extra = ''): string {
  return `  v2:
    device:
      path: ${device}
      size: 1GiB
    proxies: [h1]
    archives: [h1]
    snapshots:
      every: 1h
    retention:
      keepDaily: 7
${extra}`;
}

async function problems(files: Record<string, string>): Promise<string[]> {
  const { diagnostics } = await loadDesiredState(writeTree(files));
  return diagnostics.map(formatDiagnostic);
}

describe('checkPaths', () => {
  it('refuses a volume whose device is another volume\'s restore target, naming both places', async () => {
    const restore = '    restores:\n      - name: r\n        path: volumes/other.img\n';
    const found = await problems({ 'hosts/h1.yaml': hostFile('h1', restore) + withV2('volumes/other.img') });
    expect(found).toEqual([
      `hosts/h1.yaml:21:13: error: volumes.v2.device.path: volume v2's device is /srv/walbctl/volumes/other.img on host h1, which is already volume v1's restore "r" (hosts/h1.yaml:18:15): every path a host uses must be distinct`,
    ]);
  });

  it('finds the collision after .. is collapsed and a relative path is taken from the data directory', async () => {
    const found = await problems({ 'hosts/h1.yaml': hostFile('h1') + withV2('/srv/walbctl/x/../v1.img') });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/volumes\.v2\.device\.path: volume v2's device is \/srv\/walbctl\/v1\.img on host h1, which is already volume v1's device \(hosts\/h1\.yaml:8:13\)/);
  });

  it('finds two restores of two volumes writing one file', async () => {
    const r = (n: string) => `    restores:\n      - name: ${n}\n        path: /tmp/same.img\n`;
    const found = await problems({ 'hosts/h1.yaml': hostFile('h1', r('a')) + withV2('v2.img', r('b')) });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/volumes\.v2\.restores\[0\]\.path: volume v2's restore "b" is \/tmp\/same\.img on host h1, which is already volume v1's restore "a" \(hosts\/h1\.yaml:18:15\)/);
  });

  it('resolves a symbolic link that exists when the tree is checked', async () => {
    const root = writeTree({});
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'link'));
    const found = await problems({ 'hosts/h1.yaml': hostFile('h1').replace('path: v1.img', `path: ${root}/real/d.img`) + withV2(`${root}/link/d.img`) });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`device is ${root}/link/d.img, the same file as ${root}/real/d.img on host h1`);
  });

  it('lets volumes of different hosts use the same path', async () => {
    const h2 = hostFile('h2').replace('v1:', 'v9:');
    expect(await problems({ 'hosts/h1.yaml': hostFile('h1'), 'hosts/h2.yaml': h2 })).toEqual([]);
  });

  it('refuses a log ring that is another volume\'s device, and a ring without capture: wdev', async () => {
    const ring = (path: string, capture = 'wdev') => `    capture: ${capture}\n    wdev:\n      ring: ${path}\n`;
    const found = await problems({ 'hosts/h1.yaml': hostFile('h1', ring('v2.img')) + withV2('v2.img') });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/volumes\.v2\.device\.path: volume v2's device is \/srv\/walbctl\/v2\.img on host h1, which is already volume v1's log ring \(hosts\/h1\.yaml:18:13\)/);
    const scan = await problems({ 'hosts/h1.yaml': hostFile('h1', ring('v1.ring', 'scan')) });
    expect(scan).toEqual(['hosts/h1.yaml:18:13: error: volumes.v1.wdev.ring: a log ring is set but capture is scan: set capture: wdev, or remove wdev.ring']);
  });
});
