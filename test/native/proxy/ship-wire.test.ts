/**
 * db-1 (a served wdev) → px-1 / px-2 → ar-1 and ar-2, each host its own wire server and data
 * directory on 127.0.0.x over mutual TLS: the log ships in bounded batches to the first proxy
 * that answers, fails over to the second while the first is down and comes back to it; the proxies
 * forward to both archives, and every gid restores there to the bytes the device had.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { restorable as restorableOf } from '../../../native/lib/archive/query.js';
import { restore } from '../../../native/lib/archive/restore.js';
import { addArchive, startVolume } from '../../../native/lib/proxy/archives.js';
import { writeSpoolConfig } from '../../../native/lib/proxy/config.js';
import { forwardOnce, type Sender } from '../../../native/lib/proxy/forward.js';
import { sendLogBatch } from '../../../native/lib/proxy/log-batch.js';
import { backupWdev, snapshotWdev } from '../../../native/lib/wdev/capture.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { ProxyFailover, type ProxyPeer } from '../../../native/lib/wdev/proxy-failover.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { syncLog } from '../../../native/lib/wdev/log-position.js';
import { shipLogBatch } from '../../../native/lib/wdev/ship-log.js';
import { Shipper } from '../../../native/lib/wdev/shipper.js';
import { sendDiff, wireStatus, type WireClient, type WireServer } from '../../../native/lib/wire/index.js';
import { client, makePki, serve } from '../wire/_fleet.js';
import { Scratch, sha1, wdevSkipReason, writeAndSync } from '../wdev/fixture.js';

const skip = wdevSkipReason();
const SIZE = 16 << 20;

describe.skipIf(skip !== null)(`log shipping over the wire${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const s = new Scratch('ship-wire');
  const dirs = { 'db-1': s.dataDir, 'px-1': join(s.dir, 'px-1'), 'px-2': join(s.dir, 'px-2'), 'ar-1': join(s.dir, 'ar-1'), 'ar-2': join(s.dir, 'ar-2') };
  const servers: Record<string, WireServer> = {};
  const peers: Record<string, ProxyPeer> = {};
  const clients: Record<string, WireClient> = {};
  let pki: Awaited<ReturnType<typeof makePki>>;
  const shaAt = new Map<number, string>();

  async function startServer(host: keyof typeof dirs, address: string): Promise<void> {
    const r = await serve(pki, host, { address, dataDir: dirs[host] });
    servers[host] = r.server;
    peers[host] = r.peer;
  }

  beforeAll(async () => {
    s.volume('v');
    pki = await makePki(Object.keys(dirs), join(s.dir, 'pki'));
    await createWdev(s.dataDir, 'v', { sizeBytes: SIZE, ringBytes: 32 << 20 });
    await serveWdev(s.dataDir, 'v');
    writeAndSync(wdevPaths(s.dataDir, 'v').file, 0, 1 << 20, 0x11);
    const b = await backupWdev(s.dataDir, 'v');
    shaAt.set(b.gid, sha1(readFileSync(wdevPaths(s.dataDir, 'v').file)));
    // The archives start from the base the full backup made (as a wire full backup would leave them).
    for (const a of ['ar-1', 'ar-2'] as const) cpSync(join(s.dataDir, 'archive'), join(dirs[a], 'archive'), { recursive: true });
    for (const px of ['px-1', 'px-2'] as const) {
      await writeSpoolConfig(dirs[px], { limitBytes: 256 << 20 });
      for (const a of ['ar-1', 'ar-2']) await addArchive(dirs[px], 'v', { host: a });
      await startVolume(dirs[px], 'v');
    }
    let n = 11;
    for (const h of ['px-1', 'px-2', 'ar-1', 'ar-2'] as const) await startServer(h, `127.0.0.${++n}`);
    for (const h of ['db-1', 'px-1', 'px-2'] as const) clients[h] = client(pki, h);
  }, 120_000);

  afterAll(async () => {
    for (const srv of Object.values(servers)) await srv.close().catch(() => {});
    s.cleanup();
  });

  const forwarder = (px: 'px-1' | 'px-2'): Sender => async (r) => {
    await sendDiff(clients[px]!, peers[r.archive]!, { volume: r.volume, uuid: r.uuid, file: r.file, diff: r.diff, explicitEnd: r.explicitEnd });
  };

  it('ships, fails over and back, forwards, and every gid restores on both archives to the device bytes', { timeout: 180_000 }, async () => {
    const file = wdevPaths(s.dataDir, 'v').file;
    const fo = new ProxyFailover([peers['px-1']!, peers['px-2']!], {
      send: (peer, meta, wlog) => sendLogBatch(clients['db-1']!, peer, { meta, wlog }),
      probe: (peer) => wireStatus(clients['db-1']!, peer, 'v'),
    });
    const used: string[] = [];
    const round = async (i: number, explicit = false): Promise<void> => {
      for (let k = 0; k < 6; k++) writeAndSync(file, ((i * 7 + k * 13) % 60) * 256 * 1024, 192 * 1024, (i * 16 + k) & 0xff);
      if (explicit) await snapshotWdev(s.dataDir, 'v', { ship: false });
      const shipped = await shipLogBatch(s.dataDir, 'v', fo.sender(), { maxBatchBytes: 4 << 20 });
      expect(shipped).not.toBeNull();
      used.push(fo.current()!.host);
      shaAt.set(shipped!.gid, sha1(readFileSync(file)));
    };
    await round(1);
    await round(2, true);
    await servers['px-1']!.close(); // px-1 goes down: the next batch goes to px-2
    await round(3);
    await round(4);
    await startServer('px-1', peers['px-1']!.address); // px-1 is back (another port, as after a restart)
    (fo.proxies as ProxyPeer[])[0] = peers['px-1']!;
    await fo.heartbeat();
    await round(5);
    expect(used).toEqual(['px-1', 'px-1', 'px-2', 'px-2', 'px-1']);
    expect(fo.health.map((h) => h.batches)).toEqual([3, 2]);
    // Each proxy forwards what it holds; an archive takes px-2's diffs only after px-1's earlier ones.
    for (let pass = 0; pass < 4; pass++) {
      for (const px of ['px-1', 'px-2'] as const) for (const a of ['ar-1', 'ar-2']) while ((await forwardOnce(dirs[px], 'v', a, forwarder(px))).kind === 'sent');
    }
    // Implicit gids may be merged away; the explicit one (3) and the newest (6) must stay.
    for (const a of ['ar-1', 'ar-2'] as const) {
      const restorable = (await restorableOf(dirs[a], 'v')).map((r) => r.gid);
      expect(restorable).toEqual(expect.arrayContaining([3, 6]));
      for (const gid of restorable) {
        const out = join(s.dir, `${a}-${gid}.img`);
        await restore(dirs[a], 'v', gid, { path: out, mode: 'copy' });
        expect(sha1(readFileSync(out)), `${a} gid ${gid}`).toBe(shaAt.get(gid));
      }
    }
  });

  it('a full spool makes the storage keep its log, and batches stay within their bound', { timeout: 120_000 }, async () => {
    const file = wdevPaths(s.dataDir, 'v').file;
    const fo = new ProxyFailover([peers['px-1']!, peers['px-2']!], {
      send: (peer, meta, wlog) => sendLogBatch(clients['db-1']!, peer, { meta, wlog }),
      probe: (peer) => wireStatus(clients['db-1']!, peer, 'v'),
    });
    for (const px of ['px-1', 'px-2'] as const) await writeSpoolConfig(dirs[px], { limitBytes: 1 });
    for (let k = 0; k < 8; k++) writeAndSync(file, k * (1 << 20), 512 * 1024, 0x40 + k);
    const before = await syncLog(wdevPaths(s.dataDir, 'v'), 'v');
    await expect(shipLogBatch(s.dataDir, 'v', fo.sender(), { maxBatchBytes: 1 << 20 })).rejects.toMatchObject({ reject: 'no-space' });
    expect(fo.health.every((h) => !h.up && /no-space/.test(h.lastError ?? ''))).toBe(true);
    expect((await syncLog(wdevPaths(s.dataDir, 'v'), 'v')).oldestLsid).toBe(before.oldestLsid);
    for (const px of ['px-1', 'px-2'] as const) await writeSpoolConfig(dirs[px], { limitBytes: 256 << 20 });
    await fo.heartbeat();
    const sizes: number[] = [];
    for (let b = await shipLogBatch(s.dataDir, 'v', fo.sender(), { maxBatchBytes: 1 << 20 }); b; b = await shipLogBatch(s.dataDir, 'v', fo.sender(), { maxBatchBytes: 1 << 20 })) sizes.push(b.bytes);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    // Header block + packs within the bound + END block; a single pack may pass it alone.
    for (const n of sizes) expect(n).toBeLessThanOrEqual((1 << 20) + 2 * 4096 + (1 << 20));
    expect((await syncLog(wdevPaths(s.dataDir, 'v'), 'v')).oldestLsid).toBe(before.permanentLsid);
  });

  it('the shipping loop removes what a killed storage left beside capture.json, cuts at most one batch per gatherMs while writes go on, and its stop wakes it from the wait', { timeout: 120_000 }, async () => {
    const file = wdevPaths(s.dataDir, 'v').file;
    const fo = new ProxyFailover([peers['px-1']!, peers['px-2']!], {
      send: (peer, meta, wlog) => sendLogBatch(clients['db-1']!, peer, { meta, wlog }),
      probe: (peer) => wireStatus(clients['db-1']!, peer, 'v'),
    });
    await fo.heartbeat();
    const cuts: number[] = [];
    const gatherMs = 400;
    const shipper = new Shipper(s.dataDir, 'v', fo, { gatherMs, idleMs: 20, onBatch: (_b, at) => cuts.push(at) });
    // What a storage killed in an atomic write of capture.json leaves: the loop's start removes it.
    const dead = join(wdevPaths(s.dataDir, 'v').dir, '.tmp-capture.json.999999999.0badcafe');
    writeFileSync(dead, '{"half');
    shipper.start();
    // 2.4 s of small writes, one every 40 ms: cut back to back, that would be dozens of batches.
    for (let k = 0; k < 60; k++) {
      writeAndSync(file, (k % 16) * 65536, 4096, k & 0xff);
      await new Promise((r) => setTimeout(r, 40));
    }
    for (const end = Date.now() + 10_000; Date.now() < end && shipper.state.last?.lsid.e !== (await syncLog(wdevPaths(s.dataDir, 'v'), 'v')).permanentLsid; ) await new Promise((r) => setTimeout(r, 50));
    expect(shipper.state.lastError).toBeNull();
    expect(existsSync(dead), 'a dead process\'s temp file beside capture.json').toBe(false);
    expect(cuts.length, 'batches cut').toBeGreaterThanOrEqual(3);
    for (let i = 1; i < cuts.length; i++) expect(cuts[i]! - cuts[i - 1]!, `cut ${i} after cut ${i - 1}`).toBeGreaterThanOrEqual(gatherMs);
    expect(cuts.length, 'at most one batch per gatherMs').toBeLessThanOrEqual(Math.ceil((cuts.at(-1)! - cuts[0]!) / gatherMs) + 1);
    // A loop waiting out a long gather after a batch stops at once (or this test's timeout fails it).
    const slow = new Shipper(s.dataDir, 'v', fo, { gatherMs: 600_000, idleMs: 20 });
    await shipper.stop();
    writeAndSync(file, 0, 4096, 0x77);
    slow.start();
    for (const end = Date.now() + 10_000; Date.now() < end && slow.state.batches === 0; ) await new Promise((r) => setTimeout(r, 20));
    expect(slow.state.batches).toBe(1);
    await slow.stop();
  });
});
