/**
 * Protocol versions on one listener: a client that speaks only version 1 (crc32 frames, sha256
 * segment digests) and one that speaks version 2 (XXH3 for both) each land a full backup on the same
 * version 2 server, byte for byte; the session's version is the lower of the two hellos'.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archivePaths, initArchiveVolume } from '../../../native/lib/archive/index.js';
import { PROTOCOL_VERSION, sendFullBackup, type WirePeer, type WireServer } from '../../../native/lib/wire/index.js';
import { sha1 } from '../archive/_workload.js';
import { client, makePki, serve, type Pki } from './_fleet.js';

describe('protocol versions 1 and 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-ver-'));
  const remote = join(dir, 'ar-1');
  const image = join(dir, 'v.img');
  const size = 4 << 20;
  let pki: Pki;
  let server: WireServer;
  let peer: WirePeer;

  beforeAll(async () => {
    pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
    ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: remote }));
    writeFileSync(image, Buffer.concat([randomBytes(size / 2), Buffer.alloc(size / 2)]));
    for (const v of ['v1', 'v2']) await initArchiveVolume(remote, v);
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('this build speaks version 2', () => {
    expect(PROTOCOL_VERSION).toBe(2);
  });

  for (const version of [1, 2]) {
    it(`lands a full backup from a client speaking version ${version}, sha1 equal`, async () => {
      const c = client(pki, 'db-1', { maxVersion: version });
      const { session } = await c.open(peer, { kind: 'status', params: {} });
      expect({ version: session.version, digest: session.digest, fastSums: session.channel.fastSums }).toEqual({ version, digest: version === 1 ? 'sha256' : 'xxh3', fastSums: version === 2 });
      await session.close();
      const r = await sendFullBackup(c, peer, { volume: `v${version}`, source: image, sizeBytes: size, uuid: 'ab'.repeat(16), snap: { b: 0, e: 1 }, id: `id${version}`, timestamp: new Date().toISOString(), checkpointBytes: 1 << 20 });
      expect(r.outcome).toBe('sent');
      expect(sha1(archivePaths(remote, `v${version}`).base)).toBe(sha1(image));
    });
  }
});
