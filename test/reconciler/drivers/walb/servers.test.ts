/** Where the walb driver finds WalB's servers: the host file's storage/proxy/archive `listen` keys. */
import { describe, expect, it } from 'vitest';

import { loadDesiredState } from '../../../../reconciler/desired/load.js';
import { walbServer } from '../../../../reconciler/drivers/walb/index.js';
import { proxyDestinations } from '../../../../reconciler/drivers/walb/proxy-reconcile.js';
import { hostFile, writeTree } from '../../desired/tree-fixture.js';

const walbHost = (storage: string) =>
  hostFile('h1').replace('dataDir: /srv/walbctl\n', `dataDir: /srv/walbctl\ndriver: walb\n${storage}proxy:\n  listen: 127.0.0.1:10100\narchive:\n  listen: "[::1]:10200"\n`);

describe('the walb driver\'s servers from the tree', () => {
  it('takes walb-storage from storage.listen, walb-proxy from proxy.listen and walb-archive from archive.listen', async () => {
    const { state, diagnostics } = await loadDesiredState(writeTree({ 'hosts/h1.yaml': walbHost('storage:\n  listen: 127.0.0.1:10000\n') }));
    expect(diagnostics).toEqual([]);
    const host = state!.hosts.h1;
    expect(walbServer(host, 'storage')).toEqual({ address: '127.0.0.1', port: 10000 });
    expect(walbServer(host, 'proxy')).toEqual({ address: '127.0.0.1', port: 10100 });
    expect(walbServer(host, 'archive')).toEqual({ address: '::1', port: 10200 });
    // The proxy forwards to the volume's primary archives, a WalB archive at its archive.listen.
    expect(proxyDestinations(state!, host.volumes.v1)).toEqual([{ name: 'h1', address: '[::1]:10200' }]);
  });

  it('has no default for storage.listen, and says which key is missing', async () => {
    const { state } = await loadDesiredState(writeTree({ 'hosts/h1.yaml': walbHost('') }));
    expect(() => walbServer(state!.hosts.h1, 'storage')).toThrow('host h1 has no storage.listen for its walb-storage server');
  });

  it('rejects a storage.listen that is not HOST:PORT, naming the key', async () => {
    const { state, diagnostics } = await loadDesiredState(writeTree({ 'hosts/h1.yaml': walbHost('storage:\n  listen: nowhere\n') }));
    expect(state).toBeNull();
    expect(diagnostics.map((d) => d.path)).toEqual(['storage.listen']);
  });
});
