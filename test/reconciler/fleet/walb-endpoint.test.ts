/**
 * A walbctl archive's endpoint for walb-proxies (archive.walbListen): the tree says which addresses
 * may send which volume (the volume's `driver: walb` proxies, to its primary archives), and a real
 * TCP endpoint answers an offer from elsewhere `archive-not-found` while one from the tree's
 * walb-proxy reaches the archive's own answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

import { initArchiveVolume } from '../../../native/lib/archive/lifecycle.js';
import { WalbConn } from '../../../native/lib/wire/walb/conn.js';
import { Encoder } from '../../../native/lib/wire/walb/cybozu.js';
import { encodeDiff } from '../../../native/lib/wire/walb/meta.js';
import { negotiateAsClient } from '../../../native/lib/wire/walb/negotiate.js';
import { loadDesiredState } from '../../../reconciler/desired/load.js';
import { WalbEndpoint, walbSenders } from '../../../reconciler/fleet/walb-endpoint.js';
import { freePort } from '../../helpers/walb-proxy.js';
import { writeTree } from '../desired/tree-fixture.js';

const tree = (arPort: number, proxyAddress: string) => ({
  'hosts/db-1.yaml': 'host: db-1\naddress: 127.0.0.1\nroles: [storage]\ndataDir: /srv/db-1\nvolumes:\n  pg:\n    device:\n      path: pg.img\n      size: 4MiB\n    proxies: [px-1, px-2]\n    archives: [ar-1]\n    snapshots:\n      every: 1h\n    retention:\n      keepLast: 3\n',
  'hosts/px-1.yaml': `host: px-1\naddress: ${proxyAddress}\nroles: [proxy]\ndataDir: /srv/px-1\ndriver: walb\nproxy:\n  listen: 0.0.0.0:10100\n`,
  'hosts/px-2.yaml': 'host: px-2\naddress: 127.0.0.9\nroles: [proxy]\ndataDir: /srv/px-2\nproxy:\n  listen: 127.0.0.9:10100\n',
  'hosts/ar-1.yaml': `host: ar-1\naddress: 127.0.0.1\nroles: [archive]\ndataDir: ${join(tmpdir(), 'unused')}\narchive:\n  listen: 127.0.0.1:1\n  walbListen: 127.0.0.1:${arPort}\n`,
});

describe('a walbctl archive\'s endpoint for walb-proxies', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('takes a volume only from the addresses of its walb proxies, and only to its primary archives', async () => {
    const { state } = await loadDesiredState(writeTree(tree(1, '10.0.0.5')));
    // px-2 is a walbctl proxy (it ships over walbctl's own wire); px-1 listens on a wildcard: its address counts.
    expect(walbSenders(state!, 'ar-1', 'pg')).toEqual([{ host: 'px-1', addresses: ['10.0.0.5'] }]);
    expect(walbSenders(state!, 'db-1', 'pg')).toEqual([]);
    expect(walbSenders(state!, 'ar-1', 'other')).toEqual([]);
  });

  it('answers an offer from a stranger archive-not-found and one from the tree\'s walb-proxy as the archive stands', async () => {
    const port = await freePort();
    const offer = async (): Promise<string> => {
      const socket = createConnection({ host: '127.0.0.1', port });
      await new Promise((r) => socket.once('connect', r));
      const c = new WalbConn(socket, `127.0.0.1:${port}`);
      await negotiateAsClient(c, 'px-1', 'wdiff-transfer');
      const head = new Encoder().string('pg').string('proxy').raw(Buffer.alloc(16, 7)).u32(0).u64(8192);
      await c.write(encodeDiff(head, { b: { b: 0, e: 0 }, e: { b: 1, e: 1 }, mergeable: false, compared: false, timestamp: '2026-12-04T12:00:00Z', dataSize: 0 }).bytes());
      const answer = await c.string('answer');
      socket.destroy();
      return answer;
    };
    for (const [proxyAddress, want] of [['127.0.0.2', 'archive-not-found'], ['127.0.0.1', 'syncing']] as const) {
      const { state } = await loadDesiredState(writeTree(tree(port, proxyAddress)));
      const host = { ...state!.hosts['ar-1']!, dataDir: mkdtempSync(join(tmpdir(), 'walbctl-walb-endpoint-')) };
      dirs.push(host.dataDir);
      await initArchiveVolume(host.dataDir, 'pg');
      const e = await WalbEndpoint.start(host, () => state!, pino({ level: 'silent' }));
      expect(e).not.toBeNull();
      try {
        // The archive is SyncReady (no full backup yet): walb-archive's answer for it is syncing.
        expect(await offer(), `walb-proxy at ${proxyAddress}`).toBe(want);
      } finally {
        await e!.close();
      }
    }
  });
});
