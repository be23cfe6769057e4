/**
 * TLS material: a rotated certificate is used by the next connection without restarting the
 * server (here: rotated to an expired one, which clients then refuse, and back), and a server that
 * runs plain TCP says so with a warning at start.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { issueHost, wireStatus } from '../../../native/lib/wire/index.js';
import { client, makePki, memoryLogger, serve } from './_fleet.js';

describe('TLS material', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-tls-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves the next connection with a rotated certificate, no restart', async () => {
    const pki = await makePki(['ar-1', 'db-1'], join(dir, 'pki'));
    const log = memoryLogger();
    const { server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: join(dir, 'ar-1'), log });
    try {
      const db1 = client(pki, 'db-1');
      expect((await wireStatus(db1, peer)).host).toBe('ar-1');
      await issueHost(pki.dir, 'ar-1', { days: -1, force: true }); // rotated to an expired certificate
      await expect(wireStatus(db1, peer)).rejects.toThrow(/certificate has expired|CERT_HAS_EXPIRED/);
      await issueHost(pki.dir, 'ar-1', { force: true }); // and to a good one again
      expect((await wireStatus(db1, peer)).host).toBe('ar-1');
      expect(log.lines.filter((l) => /TLS certificate reloaded/.test(l.msg))).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('warns at start when a host runs the wire without TLS', async () => {
    const log = memoryLogger();
    const { server, peer } = await serve(null, 'ar-1', { address: '127.0.0.12', dataDir: join(dir, 'plain'), log });
    try {
      expect(log.lines.find((l) => l.level === 'warn')?.msg).toMatch(/insecure: true — plain TCP, no encryption and no authentication/);
      expect((await wireStatus(client(null, 'db-1'), peer)).host).toBe('ar-1');
    } finally {
      await server.close();
    }
  });
});
