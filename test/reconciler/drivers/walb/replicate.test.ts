/**
 * Replication between walb-archives as the walb driver runs it: the REAL walbc against stand-in
 * walb-archives (test/helpers/walb-standin.ts; walb-archive cannot run here) and, for synchronize and
 * stop-synchronize, the REAL walb-proxy (../shared/walb-tools/bin), told to forward to the receiver
 * as WalB's own synchronize does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createWalbDriver } from '../../../../reconciler/drivers/walb/index.js';
import { WalbTaskFailedError, WalbUnsupportedError } from '../../../../reconciler/drivers/walb/errors.js';
import { observeProxy, proxy } from '../../../../reconciler/drivers/walb/proxy.js';
import type { DesiredState } from '../../../../reconciler/model/desired.js';
import { action } from '../../apply/fake-driver.js';
import { type RunningStandin, type StandinAnswer, startWalbStandin } from '../../../helpers/walb-standin.js';
import { type RunningWalbProxy, startWalbProxy, walbcBin, walbcOptions, walbSkipReason } from '../../../helpers/walb-proxy.js';
import { context, sequence, walbTree } from './walb-tree.js';

if (walbSkipReason) console.warn(`walb/replicate.test.ts skipped: ${walbSkipReason}`);

const driver = () => createWalbDriver({ binary: walbcBin, intervalMs: 50, taskTimeoutMs: 10_000 });
const replicate = (to: string, params: Record<string, string | number | null> = {}) =>
  action('ar-1/pg:replicate', { params: { to, toGid: 12, method: null, compression: 'zstd', fromGid: null, ...params } });

/** ar-1 the sender (ReplSyncAsClient running twice, then done); ar-2 the receiver, Clear until init-vol. */
function pair(receiverNewest: number) {
  const repl = sequence(1, 1, 0);
  const sender = (cmd: string, p: string[]): StandinAnswer => (cmd === 'get' && p[0] === 'num-action' ? { value: repl() } : {});
  let state = 'Clear';
  const receiverStates = sequence('ReplSyncAsServer', 'Archived');
  const receiver = (cmd: string, p: string[]): StandinAnswer => {
    if (cmd === 'init-vol') { state = 'SyncReady'; return {}; }
    if (cmd !== 'get') return { error: 'unexpected' };
    if (p[0] === 'state') return { value: state === 'Clear' ? state : receiverStates() };
    if (p[0] === 'restorable') return { value: state === 'Clear' ? [] : [`${receiverNewest} 2026-12-05T07:10:00`] };
    return { error: `no ${p[0]}` };
  };
  return { sender, receiver };
}

describe.skipIf(walbSkipReason !== '')('replication between walb-archives (real walbc, real walb-proxy, stand-in archives)', () => {
  let dir = '';
  let px: RunningWalbProxy;
  const standins: RunningStandin[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walbctl-walb-repl-'));
    px = await startWalbProxy(dir);
  }, 60_000);
  afterAll(async () => {
    await px?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => { for (const s of standins.splice(0)) await s.close(); });

  async function setUp(receiverNewest: number, mode: 'sync' | 'async' = 'async'): Promise<{ a1: RunningStandin; a2: RunningStandin; s: RunningStandin; desired: DesiredState }> {
    const p = pair(receiverNewest);
    const a1 = await startWalbStandin(p.sender, { nodeId: 'ar-1' });
    const a2 = await startWalbStandin(p.receiver, { nodeId: 'ar-2' });
    const s = await startWalbStandin(() => ({}), { nodeId: 'db-1' });
    standins.push(a1, a2, s);
    return { a1, a2, s, desired: await walbTree({ storage: s.server.port, proxy: px.server.port, ar1: a1.server.port, ar2: a2.server.port }, mode) };
  }

  it('inits the receiver, replicates to it and follows the task until the receiver restores the gid', async () => {
    const { a1, a2, desired } = await setUp(12);
    const out = await driver().archive.replicate(replicate('ar-2'), context(desired, 'ar-1'));
    expect(out).toEqual({ walbc: `replicate pg gid 12 127.0.0.1:${a2.server.port} 1 0 zstd:0:1`, gid: 12 });
    expect(a2.calls.filter((c) => c.command !== 'get')).toEqual([{ command: 'init-vol', params: ['pg'] }]);
    expect(a1.calls.filter((c) => c.command === 'replicate')).toEqual([{ command: 'replicate', params: ['pg', 'gid', '12', `127.0.0.1:${a2.server.port}`, '1', '0', 'zstd:0:1'] }]);
    expect(a1.calls.filter((c) => c.command === 'get').map((c) => c.params.join(' '))).toEqual(['num-action pg ReplSyncAsClient', 'num-action pg ReplSyncAsClient', 'num-action pg ReplSyncAsClient']);
  });

  it('says when the receiver ended short of the gid, naming the sending server and the command', async () => {
    const { a1, a2, desired } = await setUp(10);
    const e = await driver().archive.replicate(replicate('ar-2', { method: 'diff', fromGid: 10 }), context(desired, 'ar-1')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WalbTaskFailedError);
    expect((e as Error).message).toBe(`WalB server 127.0.0.1:${a1.server.port}: walbc replicate pg gid 12 127.0.0.1:${a2.server.port} 0 0 zstd:0:1 ended without its result: ar-2 restores up to gid 10, not gid 12`);
  });

  it('refuses to replicate to a walbctl archive: walb-archive speaks repl-sync only to walb-archives', async () => {
    const { a1, desired } = await setUp(12);
    const e = await driver().archive.replicate(replicate('ar-3'), context(desired, 'ar-1')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WalbUnsupportedError);
    expect((e as Error).message).toBe('replicate is not supported by WalB servers: walb-archive replicates only to another walb-archive (WalB\'s repl-sync); ar-3 is a walbctl archive, which does not speak repl-sync');
    expect(a1.calls).toEqual([]);
  });

  it('synchronizes: walb-proxy stopped (empty), told to forward to the receiver, the replication run, walb-proxy started; and stops it again', async () => {
    const { a1, s, desired } = await setUp(12, 'sync');
    await proxy.addArchive(px.server, 'pg', 'ar-1', '127.0.0.1:1', walbcOptions);
    await proxy.start(px.server, 'pg', walbcOptions);
    const d = driver();
    const out = await d.archive.synchronize(action('ar-1/pg:synchronize', { params: { to: 'ar-2', toGid: 12, method: null, compression: 'zstd', fromGid: null } }), context(desired, 'ar-1'));
    expect(String(out!.walbc)).toMatch(/^px-1: stop pg empty; px-1: archive-info add pg ar-2 127\.0\.0\.1:\d+; replicate pg gid 12 .*; db-1: kick$/);
    expect(out).toMatchObject({ gid: 12, proxies: 'px-1' });
    expect(await observeProxy(px.server, 'pg', walbcOptions)).toMatchObject({ state: 'Started', archives: ['ar-1', 'ar-2'] });
    expect(a1.calls.filter((c) => c.command === 'replicate')).toHaveLength(1);
    // Planned again while walb-proxy forwards there already: the receiver holds gid 12, nothing stops.
    const again = await d.archive.synchronize(action('ar-1/pg:synchronize', { params: { to: 'ar-2', toGid: 12, method: 'diff', compression: 'zstd', fromGid: 12 } }), context(desired, 'ar-1'));
    expect(again).toMatchObject({ skipped: 'ar-2 already holds gid 12' });
    expect(String(again!.walbc)).not.toContain('stop');

    const stop = await d.archive['stop-synchronize'](action('ar-1/pg:stop-synchronize', { params: { to: 'ar-2' } }), context(desired, 'ar-1'));
    expect(stop).toEqual({ walbc: 'px-1: archive-info delete pg ar-2; db-1: kick' });
    // walb-storage was kicked after each change of its proxies' destinations, as WalB's controller does.
    expect(s.calls).toEqual([{ command: 'kick', params: [] }, { command: 'kick', params: [] }]);
    expect(await observeProxy(px.server, 'pg', walbcOptions)).toMatchObject({ state: 'Started', archives: ['ar-1'] });
    // Again: nothing forwards there any more.
    expect(await d.archive['stop-synchronize'](action('ar-1/pg:stop-synchronize', { params: { to: 'ar-2' } }), context(desired, 'ar-1'))).toEqual({ walbc: null, skipped: 'no walb-proxy forwards pg to ar-2' });
  });

  it('has nothing to release: WalB keeps no replica cursor', async () => {
    const { desired } = await setUp(12);
    expect(await driver().archive['release-replica'](action('ar-1/pg:release-replica', { params: { to: 'ar-2', gid: 3 } }), context(desired, 'ar-1'))).toEqual({ walbc: null, skipped: 'WalB keeps no replica cursor that holds diffs back: nothing to release' });
  });
});
