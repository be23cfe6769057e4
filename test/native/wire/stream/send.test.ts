/**
 * The sending end of a stream pauses compression that does not pay (4 frames in a row that did not
 * shrink: the next 32 go as they are, then 64 after each further miss; compress-pacing.ts) and takes
 * it up again after a pause: a long run of random
 * bytes followed by compressible ones still sends the compressible ones compressed, and the archive
 * receives every byte.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archivePaths, initArchiveVolume } from '../../../../native/lib/archive/index.js';
import { sendFullBackup, type WireClient, type WirePeer, type WireServer } from '../../../../native/lib/wire/index.js';
import { sha1 } from '../../archive/_workload.js';
import { client, makePki, serve } from '../_fleet.js';

describe('a stream whose data stops shrinking', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-send-'));
  const remote = join(dir, 'ar-1');
  const image = join(dir, 'v.img');
  const MiB = 1 << 20;
  const randomPart = 80 * MiB;
  const textPart = 48 * MiB;
  let server: WireServer;
  let peer: WirePeer;
  let db1: WireClient;

  beforeAll(async () => {
    const pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
    ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: remote }));
    db1 = client(pki, 'db-1');
    const fd = openSync(image, 'w');
    for (let at = 0; at < randomPart; at += 8 * MiB) writeSync(fd, randomBytes(8 * MiB), 0, 8 * MiB, at);
    const text = Buffer.alloc(textPart, 'the same words again and again; ');
    writeSync(fd, text, 0, textPart, randomPart);
    closeSync(fd);
    await initArchiveVolume(remote, 'v');
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the random bytes as they are and the compressible ones after the pause compressed, every byte landing', async () => {
    const r = await sendFullBackup(db1, peer, {
      volume: 'v', source: image, sizeBytes: randomPart + textPart, uuid: 'a'.repeat(32), snap: { b: 0, e: 1 }, id: 'fb-1', timestamp: '2026-12-05T08:00:00Z', checkpointBytes: 16 * MiB,
    });
    expect(r.outcome).toBe('sent');
    // The random part costs its size (no compression saves on it); the text past the pause that
    // covers its start (4 misses, 32 raw, 1 miss, 64 raw: frames 38-101, 21 of them text) shrinks.
    expect(r.wireBytes).toBeGreaterThanOrEqual(randomPart);
    expect(r.wireBytes).toBeLessThan(randomPart + textPart - 12 * MiB);
    expect(sha1(archivePaths(remote, 'v').base)).toBe(sha1(image));
  });
});
