/**
 * WalB's dialect against WalB's real walb-proxy (../shared/walb-tools/bin), on loopback ports picked
 * at run time: walbctl's wlog-transfer client ships a WalB log (wlog-gen: padding, discards, all-zero
 * IOs) to walb-proxy, which converts it and forwards it with wdiff-transfer to walbctl's wdiff-transfer
 * server; the received sorted wdiff replays (WalB's wdiff-redo) to the image the log replays to
 * (wlog-redo). A refusal makes walb-proxy drop or keep the diff as WalB's policy says; bytes that
 * break the protocol are named by offset. Skips, saying why, where the binaries do not run.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WalbConn } from '../../../../native/lib/wire/walb/conn.js';
import { Encoder } from '../../../../native/lib/wire/walb/cybozu.js';
import { WalbProtocolError, WalbRefusal } from '../../../../native/lib/wire/walb/errors.js';
import { encodeDiff, type MetaDiff } from '../../../../native/lib/wire/walb/meta.js';
import { negotiateAsClient } from '../../../../native/lib/wire/walb/negotiate.js';
import { type RunningWalbServer, startWalbServer } from '../../../../native/lib/wire/walb/server.js';
import { serveWdiffTransfer, type WdiffAnswer, type WdiffOutcome } from '../../../../native/lib/wire/walb/wdiff-transfer.js';
import { sendWlogTransfer } from '../../../../native/lib/wire/walb/wlog-transfer.js';
import { walbHostType } from '../../../../native/lib/wire/walb/host-type.js';
import { observeProxy, proxy } from '../../../../reconciler/drivers/walb/proxy.js';
import { reconcileProxy } from '../../../../reconciler/drivers/walb/proxy-reconcile.js';
import { type RunningWalbProxy, startWalbProxy, walbBin, walbcOptions, walbSkipReason } from '../../../helpers/walb-proxy.js';

if (walbSkipReason) console.warn(`wire/walb/proxy-relay.test.ts skipped: ${walbSkipReason}`);

const SIZE = 4 << 20;
const sha1 = (p: string) => createHash('sha1').update(readFileSync(p)).digest('hex');
const tool = (name: string, ...args: string[]) => execFileSync(join(walbBin, name), args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** The image a log or diff replays to, from zeroes. */
function replay(dir: string, name: string, kind: 'wlog' | 'wdiff', input: string): string {
  const img = join(dir, `${name}.img`);
  writeFileSync(img, Buffer.alloc(0));
  execFileSync('truncate', ['-s', String(SIZE), img]);
  tool(kind === 'wlog' ? 'wlog-redo' : 'wdiff-redo', '-z', '-i', input, img);
  return sha1(img);
}

const diff = (b: number, e: number): MetaDiff => ({ b: { b, e: b }, e: { b: e, e }, mergeable: b > 0, compared: false, timestamp: '2026-12-04T12:00:00Z', dataSize: 0 });

describe.skipIf(walbSkipReason !== '')('WalB\'s dialect through the real walb-proxy', () => {
  let dir = '';
  let px: RunningWalbProxy;
  let ar: RunningWalbServer;
  const outcomes: WdiffOutcome[] = [];
  const errors: unknown[] = [];
  let answer: WdiffAnswer = 'accept';
  const waitFor = async (what: () => boolean, ms = 20_000) => {
    for (const end = Date.now() + ms; !what() && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    return what();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walbctl-walb-relay-'));
    mkdirSync(join(dir, 'got'));
    ar = await startWalbServer({
      host: '127.0.0.1', port: 0, nodeId: 'ar-1',
      handlers: {
        'wdiff-transfer': (c, clientId) => serveWdiffTransfer(c, clientId, {
          decide: () => answer,
          tempDir: () => dir,
          commit: async (o, path) => renameSync(path, join(dir, 'got', `${o.diff.b.b}-${o.diff.e.b}.wdiff`)),
        }),
      },
      onDone: (_peer, _protocol, r) => outcomes.push(r as WdiffOutcome),
      onError: (_peer, e) => errors.push(e),
    });
    px = await startWalbProxy(dir);
    await proxy.addArchive(px.server, 'v', 'ar-1', `127.0.0.1:${ar.port}`, walbcOptions);
    await proxy.start(px.server, 'v', walbcOptions);
  }, 60_000);
  afterAll(async () => {
    await px?.stop();
    await ar?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('probes walb-proxy as walb-storage does (get host-type)', async () => {
    expect(await walbHostType({ host: '127.0.0.1', port: px.server.port }, 'db-1')).toBe('proxy');
  });

  it('carries WalB logs (4096 and 512-byte blocks) storage → walb-proxy → archive, replaying to the same image', async () => {
    let gid = 0;
    for (const pbs of ['4096', '512']) {
      const wlog = join(dir, `log-${pbs}.wlog`);
      // Packs of at most 256 KiB: a 1 MiB log is then always several packs (left to wlog-gen's 16 MiB
      // default, 7 % of 4096-byte logs were one pack, and the batch check below failed by chance).
      tool('wlog-gen', '-s', String(SIZE), '-z', '1M', '-b', pbs, '--rand', '--maxIoSize', '64K', '--maxPackSize', '256K', '-o', wlog);
      const uuid = readFileSync(wlog).subarray(24, 40).toString('hex');
      const sent = await sendWlogTransfer({ host: '127.0.0.1', port: px.server.port }, 'db-1', { volume: 'v', uuid, sizeLb: SIZE / 512, diff: diff(gid, gid + 1) }, wlog);
      expect(sent.serverId).toBe('p0');
      expect(sent.packs).toBeGreaterThan(1);
      expect(await waitFor(() => outcomes.length === gid + 1)).toBe(true);
      const got = outcomes[gid]!;
      expect(got.answer).toBe('accept');
      expect(got.offer).toMatchObject({ clientId: 'p0', volume: 'v', hostType: 'proxy', uuid, sizeLb: SIZE / 512 });
      expect(got.offer.diff).toMatchObject({ b: { b: gid, e: gid }, e: { b: gid + 1, e: gid + 1 }, timestamp: '2026-12-04T12:00:00Z' });
      expect(replay(dir, `wdiff-${pbs}`, 'wdiff', join(dir, 'got', `${gid}-${gid + 1}.wdiff`))).toBe(replay(dir, `wlog-${pbs}`, 'wlog', wlog));
      gid++;
    }
    expect(errors).toEqual([]);
  }, 120_000);

  it('drops a diff the archive calls too old, and keeps one the archive is stopped for until it takes it', async () => {
    const wlog = join(dir, 'log-4096.wlog');
    const uuid = readFileSync(wlog).subarray(24, 40).toString('hex');
    const send = (b: number, e: number) => sendWlogTransfer({ host: '127.0.0.1', port: px.server.port }, 'db-1', { volume: 'v', uuid, sizeLb: SIZE / 512, diff: diff(b, e) }, wlog);
    const before = outcomes.length;
    answer = 'too-old-diff';
    await send(2, 3);
    expect(await waitFor(() => outcomes.length === before + 1)).toBe(true);
    expect(outcomes[before]!.answer).toBe('too-old-diff');
    answer = 'stopped';
    await send(3, 4);
    // walb-proxy retries a stopped archive after its backoff (1 s, doubling); the archive then takes it.
    expect(await waitFor(() => outcomes.length >= before + 2)).toBe(true);
    expect(outcomes[before + 1]!.answer).toBe('stopped');
    answer = 'accept';
    expect(await waitFor(() => outcomes.some((o) => o.answer === 'accept' && o.offer.diff.b.b === 3))).toBe(true);
    // The too-old diff was dropped, never offered again: only |3|-->|4| was accepted after it.
    expect(outcomes.slice(before).filter((o) => o.answer === 'accept').map((o) => o.offer.diff.b.b)).toEqual([3]);
    // walb-proxy refuses a log for a volume it does not forward, in its own words.
    const refused = await sendWlogTransfer({ host: '127.0.0.1', port: px.server.port }, 'db-1', { volume: 'other', uuid, sizeLb: SIZE / 512, diff: diff(0, 1) }, wlog).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WalbRefusal);
    expect((refused as Error).message).toMatch(/^WalB peer p0 \(127\.0\.0\.1:\d+\) refused wlog-transfer: .*Clear/);
  }, 60_000);

  it('sees walb-proxy give up on an archive that answers archive-not-found, and a stop and a start make it try again', async () => {
    const wlog = join(dir, 'log-4096.wlog');
    const uuid = readFileSync(wlog).subarray(24, 40).toString('hex');
    answer = 'archive-not-found';
    await sendWlogTransfer({ host: '127.0.0.1', port: px.server.port }, 'db-1', { volume: 'v', uuid, sizeLb: SIZE / 512, diff: diff(4, 5) }, wlog);
    expect(await waitFor(() => outcomes.some((o) => o.answer === 'archive-not-found'))).toBe(true);
    let seen: Awaited<ReturnType<typeof observeProxy>>;
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if ((seen = await observeProxy(px.server, 'v', walbcOptions))?.sendErrors) break;
    expect(seen!).toEqual({ state: 'Started', archives: ['ar-1'], sendErrors: ['ar-1'] });
    answer = 'accept';
    const ar1 = [{ name: 'ar-1', address: `127.0.0.1:${ar.port}` }];
    expect(await reconcileProxy(px.server, 'v', ar1, walbcOptions)).toEqual([['stop', 'v'], ['start', 'v']]);
    expect(await observeProxy(px.server, 'v', walbcOptions)).toEqual({ state: 'Started', archives: ['ar-1'] });
    // The diff it held comes now (with the next one, which also wakes the queue).
    await sendWlogTransfer({ host: '127.0.0.1', port: px.server.port }, 'db-1', { volume: 'v', uuid, sizeLb: SIZE / 512, diff: diff(5, 6) }, wlog);
    expect(await waitFor(() => outcomes.some((o) => o.answer === 'accept' && o.offer.diff.b.b === 4))).toBe(true);
  }, 60_000);

  it('answers an unknown protocol with WalB\'s error text, and names the offset of a pack that does not hold up', async () => {
    const connect = async () => {
      const socket = createConnection({ host: '127.0.0.1', port: ar.port });
      await new Promise((r) => socket.once('connect', r));
      return new WalbConn(socket, `127.0.0.1:${ar.port}`);
    };
    const refused = await negotiateAsClient(await connect(), 'x', 'repl-sync3').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WalbRefusal);
    expect((refused as Error).message).toBe(`WalB peer ar-1 (127.0.0.1:${ar.port}) refused repl-sync3: findServerHandler bad protocol repl-sync3 x`);

    const c = await connect();
    await negotiateAsClient(c, 'px-9', 'wdiff-transfer');
    const offer = new Encoder().string('v').string('proxy').raw(Buffer.alloc(16, 1)).u32(0).u64(SIZE / 512);
    await c.write(encodeDiff(offer, diff(10, 11)).bytes());
    expect(await c.string('answer')).toBe('accept');
    const pack = Buffer.alloc(4096);
    pack.writeUInt32LE(12345, 0);
    const before = errors.length;
    await c.write(new Encoder().u8(0).u64(pack.length).raw(pack).bytes());
    expect(await waitFor(() => errors.length > before)).toBe(true);
    const e = errors[before] as WalbProtocolError;
    expect(e).toBeInstanceOf(WalbProtocolError);
    // Negotiation 21 bytes, offer 46 (volume 2, host type 6, uuid 16, max IO 1, size 3, MetaDiff 18),
    // then the marker (1) and the pack's size (3): the pack starts at byte 71.
    expect(e.message).toMatch(/^WalB peer 127\.0\.0\.1:\d+: inbound byte 71 \(pack 0\): the pack header checksum does not match$/);
    c.socket.destroy();
  }, 30_000);
});
