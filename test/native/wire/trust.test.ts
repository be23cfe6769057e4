/**
 * Trust at the door, with certificates made at test time: no certificate, another CA's, an expired
 * one, a host the tree does not name, a named host asking for a volume that is not its own, and a
 * hello that claims another host than its certificate. Each is refused, the refusal is logged with
 * the peer's identity (or address) and counted, and nothing is read or written on the archive.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archivePaths, initArchiveVolume } from '../../../native/lib/archive/index.js';
import { issueHost, sendFullBackup, wireStatus, WireClient, type WirePeer, type WireServer } from '../../../native/lib/wire/index.js';
import { client, makePki, memoryLogger, serve, type Pki } from './_fleet.js';

describe('trust at the wire', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-trust-'));
  const dataDir = join(dir, 'ar-1');
  const log = memoryLogger();
  let pki: Pki;
  let other: Pki;
  let server: WireServer;
  let peer: WirePeer;
  let metaBefore = '';

  beforeAll(async () => {
    pki = await makePki(['ar-1', 'db-1', 'db-2', 'intruder'], join(dir, 'pki'));
    other = await makePki(['db-1'], join(dir, 'other-ca'));
    await issueHost(join(dir, 'pki'), 'db-1-expired', { days: -1 });
    await initArchiveVolume(dataDir, 'v');
    metaBefore = await readFile(archivePaths(dataDir, 'v').meta, 'utf8');
    // The tree: db-1 sends volume v; db-2 is a storage host of other volumes; "intruder" is not in it.
    const tree: Record<string, string[]> = { 'db-1': ['v'], 'db-1-expired': ['v'], 'db-2': ['w'] };
    ({ server, peer } = await serve(pki, 'ar-1', {
      address: '127.0.0.12',
      dataDir,
      log,
      authorize: (host, req) => {
        const vols = tree[host];
        if (!vols) return `host ${host} is not in the tree`;
        return req.kind === 'status' || (req.volume !== undefined && vols.includes(req.volume)) || `volume ${req.volume} is not ${host}'s`;
      },
    }));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  function fullBackupFrom(c: WireClient, volume = 'v') {
    return sendFullBackup(c, peer, { volume, source: '/dev/null', sizeBytes: 1 << 20, uuid: 'a'.repeat(32), snap: { b: 0, e: 1 }, id: 'x', timestamp: new Date().toISOString() });
  }

  async function expectUntouched(): Promise<void> {
    expect(await readFile(archivePaths(dataDir, 'v').meta, 'utf8')).toBe(metaBefore);
    expect(readdirSync(dataDir)).not.toContain('wire');
  }

  async function refusalFor(pattern: RegExp): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const line = log.lines.find((l) => l.level === 'warn' && pattern.test(l.msg));
      if (line) return line.msg;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no refusal matching ${pattern} in the log:\n${log.text()}`);
  }

  it('refuses a peer with no certificate, naming its address', async () => {
    // A WireClient always presents a certificate: a bare TLS connect presents none.
    const ca = await readFile(pki.tls('db-1').ca);
    await new Promise<void>((resolve) => {
      const s = connect({ host: peer.address, port: peer.port, ca, servername: 'ar-1', minVersion: 'TLSv1.3' });
      s.on('secureConnect', () => s.write(Buffer.alloc(64, 1)));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    expect(await refusalFor(/certificate not accepted \(.*\)/)).toMatch(/^wire: refused 127\.0\.0\.1:\d+: /);
    await expectUntouched();
  });

  it("refuses a certificate from another CA, naming the TLS reason", async () => {
    const rogue = new WireClient({ host: 'db-1', tls: { ...other.tls('db-1'), ca: pki.tls('db-1').ca }, connectTimeoutMs: 3000 });
    await expect(fullBackupFrom(rogue)).rejects.toThrow();
    expect(await refusalFor(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/)).toContain('certificate not accepted');
    await expectUntouched();
  });

  it('refuses an expired certificate', async () => {
    const expired = new WireClient({ host: 'db-1-expired', tls: pki.tls('db-1-expired'), connectTimeoutMs: 3000 });
    await expect(fullBackupFrom(expired)).rejects.toThrow();
    expect(await refusalFor(/CERT_HAS_EXPIRED|expired/)).toContain('certificate not accepted');
    await expectUntouched();
  });

  it('refuses a host the tree does not name, logging its identity, with a typed reject', async () => {
    const err = await fullBackupFrom(client(pki, 'intruder')).catch((e: unknown) => e);
    expect(err).toMatchObject({ reject: 'not-authorized', policy: 'stop-and-report' });
    expect(await refusalFor(/refused intruder/)).toMatch(/intruder .*host intruder is not in the tree/);
    await expectUntouched();
  });

  it('refuses a named host asking for a volume that is not its own', async () => {
    const err = await fullBackupFrom(client(pki, 'db-2')).catch((e: unknown) => e);
    expect(err).toMatchObject({ reject: 'not-authorized' });
    expect(await refusalFor(/refused db-2/)).toMatch(/volume v is not db-2's/);
    await expectUntouched();
  });

  it('refuses a hello that names another host than the certificate', async () => {
    const liar = new WireClient({ host: 'db-1', tls: pki.tls('db-2'), connectTimeoutMs: 3000 });
    await expect(wireStatus(liar, peer)).rejects.toMatchObject({ reject: 'not-authorized' });
    expect(await refusalFor(/hello names host "db-1" but the certificate is for "db-2"/)).toContain('refused db-2');
  });

  it('counts every refusal on the link of the peer that was refused', () => {
    const links = Object.fromEntries(server.metrics.snapshot().map((l) => [l.peer, l.refused]));
    expect(links).toMatchObject({ intruder: 1, 'db-2': 2 });
    const byAddress = server.metrics.snapshot().filter((l) => l.peer.startsWith('127.'));
    expect(byAddress.reduce((n, l) => n + l.refused, 0)).toBeGreaterThanOrEqual(3);
  });

  it('serves a host the tree names (the same door lets the right peer in)', async () => {
    const st = await wireStatus(client(pki, 'db-1'), peer, 'v');
    expect(st.archives.v).toMatchObject({ state: 'SyncReady' });
  });
});
