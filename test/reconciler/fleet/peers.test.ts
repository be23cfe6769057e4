import { describe, expect, it } from 'vitest';

import type { ObservedArchive } from '../../../common/observed.js';
import { observePeers, peerFromStatus } from '../../../reconciler/fleet/peers.js';
import { archive, desired, diff, volume } from '../plan/fixtures.js';

const AT = '2026-12-04T12:00:00.000Z';
const now = () => new Date(AT);

describe('peerFromStatus', () => {
  it('states an archive with a base and diffs by its base and newest gid', () => {
    const a: ObservedArchive = archive(1, [diff(1, 20, 1), diff(20, 41, 2)]);
    expect(peerFromStatus({ archive: a, partial: null }, AT)).toMatchObject({ reachable: true, state: 'Archived', base: { b: 1, e: 1 }, newestGid: 41 });
  });
  it('carries the chain health and the device uuid the peer stated', () => {
    const a: ObservedArchive = archive(1, [diff(1, 20, 1), diff(30, 41, 2)]);
    const chain = { contiguousTo: 20, hole: { after: 20, before: 30 }, setAside: [] };
    expect(peerFromStatus({ archive: a, partial: null, chain, deviceUuid: 'd'.repeat(32) }, AT)).toMatchObject({ chain, deviceUuid: 'd'.repeat(32) });
  });
  it('reads the chain health from the diffs of a peer that does not state it', () => {
    const a: ObservedArchive = archive(1, [diff(1, 20, 1), diff(30, 41, 2)]);
    expect(peerFromStatus({ archive: a, partial: null }, AT)).toMatchObject({ chain: { contiguousTo: 20, hole: { after: 20, before: 30 }, setAside: [] } });
  });
  it('reports a peer holding no archive of the volume as Clear, with the partial transfer it would resume', () => {
    expect(peerFromStatus({ archive: null, partial: { kind: 'full-backup', offset: 4096, total: 8192 } }, AT)).toEqual({
      reachable: true, observedAt: AT, state: 'Clear', uuid: null, base: null, newestGid: null, restorable: [], transfer: { kind: 'full-backup', doneBytes: 4096, totalBytes: 8192 },
    });
  });
});

describe('observePeers', () => {
  const tree = desired([volume({ host: 'db-1', archives: [{ host: 'ar-1', primary: true }, { host: 'ar-2', primary: false }], proxies: [] })], { hosts: ['ar-1', 'ar-2'] });

  it('asks every remote archive of every stored volume and records an error as an unreachable peer', async () => {
    const asked: string[] = [];
    const peers = await observePeers(tree.hosts['db-1']!, tree, async (peer, vol) => {
      asked.push(`${peer.name}/${vol}`);
      if (peer.name === 'ar-2') throw new Error('connect ECONNREFUSED 127.0.0.13:9471\n    at TCPConnectWrap');
      return { archive: null, partial: null };
    }, now);
    expect(asked.sort()).toEqual(['ar-1/demo', 'ar-2/demo']);
    expect(peers.demo!['ar-1']).toMatchObject({ reachable: true, state: 'Clear' });
    expect(peers.demo!['ar-2']).toEqual({ reachable: false, observedAt: AT, error: 'connect ECONNREFUSED 127.0.0.13:9471' });
  });

  it('does not ask the host itself when it archives its own volume', async () => {
    const local = desired([volume()]);
    const peers = await observePeers(local.hosts.local!, local, async () => { throw new Error('must not be called'); }, now);
    expect(peers).toEqual({});
  });
});
