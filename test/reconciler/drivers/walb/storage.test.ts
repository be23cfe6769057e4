/**
 * The walb driver's walb-storage side, run through the REAL walbc against a stand-in server speaking
 * WalB's protocol (test/helpers/walb-standin.ts; walb-storage itself cannot run here: no walb kernel
 * driver): what it observes, full and hash backups followed to Target, time limits and WalB's refusals
 * as typed errors naming the server and the command.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { createWalbDriver } from '../../../../reconciler/drivers/walb/index.js';
import { WalbTaskFailedError, WalbTimeoutError } from '../../../../reconciler/drivers/walb/errors.js';
import { WalbcError } from '../../../../reconciler/drivers/walb/walbc.js';
import { action } from '../../apply/fake-driver.js';
import { type RunningStandin, type StandinScript, startWalbStandin } from '../../../helpers/walb-standin.js';
import { walbcBin, walbSkipReason } from '../../../helpers/walb-proxy.js';
import { context, sequence, target, walbTree } from './walb-tree.js';

if (walbSkipReason) console.warn(`walb/storage.test.ts skipped: ${walbSkipReason}`);

const driver = (o: { taskTimeoutMs?: number } = {}) => createWalbDriver({ binary: walbcBin, intervalMs: 50, ...o });
let standin: RunningStandin | undefined;
afterEach(async () => { await standin?.close(); standin = undefined; });

async function storageTree(script: StandinScript, options: { taskTimeout?: string } = {}) {
  standin = await startWalbStandin(script, { nodeId: 'db-1' });
  return walbTree({ storage: standin.server.port, proxy: 1, ar1: 2, ar2: 3 }, 'sync', options);
}

describe.skipIf(walbSkipReason !== '')('the walb driver on a walb-storage (real walbc, stand-in server)', () => {
  it('observes state, uuid, overflow, log usage, the latest snapshot and how far each archive is behind', async () => {
    const desired = await storageTree((cmd, p) => {
      if (cmd !== 'get') return { error: 'unexpected' };
      return ({
        state: { value: 'Target' }, uuid: { value: '0123456789abcdef0123456789abcdef' }, 'is-overflow': { value: 0 },
        'log-usage': { value: ['name:other\tusage_pb:1\tcapacity_pb:2\tpbs:512', 'name:pg\tusage_pb:1200\tcapacity_pb:262144\tpbs:4096'] },
        'latest-snap': { value: ['name:pg\tkind:storage\tgid:12\tlsid:4096\ttimestamp:2026-12-05T07:10:00'] },
        'ts-delta': { value: ['name:pg\tdest:ar-1\tkind:storage\tdest_kind:archive\tgid:12\tts:2026-12-05T07:10:00\tdest_gid:10\tdest_ts:2026-12-05T07:08:20\tts_delta:100'] },
      } as Record<string, { value: string | number | string[] }>)[p[0]!] ?? { error: `no ${p[0]}` };
    });
    expect(await driver().storage.observe(target(desired, 'db-1'))).toEqual({
      state: 'Target', capture: 'wdev', uuid: '0123456789abcdef0123456789abcdef', devicePath: '/dev/walb/pg', sizeBytes: 1 << 30,
      overflow: false, latestGid: 12, lastSnapshotAt: '2026-12-05T07:10:00Z',
      log: { usagePb: 1200, capacityPb: 262144 },
      archiveLag: { 'ar-1': { gid: 10, timestamp: '2026-12-05T07:08:20Z', seconds: 100 } },
    });
    // Every query passed walbc's own argument checks (made after the negotiation) and reached the server.
    expect(standin!.calls.map((c) => c.params.join(' '))).toEqual(['state pg', 'uuid pg', 'is-overflow pg', 'log-usage', 'latest-snap', 'ts-delta']);
  });

  it('inits with the walb device, and does nothing when the volume is already initialised', async () => {
    const state = sequence('Clear', 'SyncReady');
    const desired = await storageTree((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: state() } : {}));
    const d = driver();
    expect(await d.storage.init(action('db-1/pg:init'), context(desired, 'db-1'))).toEqual({ walbc: 'init-vol pg /dev/walb/pg' });
    expect(await d.storage.init(action('db-1/pg:init'), context(desired, 'db-1'))).toMatchObject({ skipped: 'already done', state: 'SyncReady' });
    expect(standin!.calls.filter((c) => c.command === 'init-vol')).toEqual([{ command: 'init-vol', params: ['pg', '/dev/walb/pg'] }]);
  });

  it('follows a full backup through FullSync, Stopped and StartTarget to Target', async () => {
    const state = sequence('SyncReady', 'FullSync', 'FullSync', 'Stopped', 'StartTarget', 'Target');
    const desired = await storageTree((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: state() } : {}));
    expect(await driver().storage['full-backup'](action('db-1/pg:full-backup'), context(desired, 'db-1'))).toEqual({ walbc: 'full-bkp pg', state: 'Target' });
    expect(standin!.calls.filter((c) => c.command === 'get').length).toBe(6);
  });

  it('stops following a task at its time limit with a typed error naming the server and the command', async () => {
    const state = sequence('SyncReady', 'HashSync');
    const desired = await storageTree((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: state() } : {}));
    const e = await driver({ taskTimeoutMs: 1000 }).storage['hash-backup'](action('db-1/pg:hash-backup'), context(desired, 'db-1')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WalbTimeoutError);
    expect((e as WalbTimeoutError).message).toBe(`WalB server 127.0.0.1:${standin!.server.port}: walbc hash-bkp pg did not finish within 1 s (last seen: state HashSync)`);
    expect((e as WalbTimeoutError).retryable).toBe(true);
    // A plan action's own limit wins: timeoutSeconds.
    const again = sequence('SyncReady', 'HashSync');
    const desired2 = await storageTree((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: again() } : {}));
    const t0 = Date.now();
    await driver().storage['hash-backup'](action('db-1/pg:hash-backup', { params: { timeoutSeconds: 1 } }), context(desired2, 'db-1')).catch(() => undefined);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('says how far the primary walb-archive got (get progress) when a backup runs past its time limit', async () => {
    const archive = await startWalbStandin((cmd, p) => (cmd !== 'get' ? { error: 'no' } : p[0] === 'progress' ? { value: 1024 } : p[0] === 'vol-size' ? { value: 2097152 } : { error: 'no' }), { nodeId: 'ar-1' });
    try {
      const state = sequence('SyncReady', 'FullSync');
      standin = await startWalbStandin((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: state() } : {}), { nodeId: 'db-1' });
      const desired = await walbTree({ storage: standin.server.port, proxy: 1, ar1: archive.server.port, ar2: 3 });
      const e = await driver({ taskTimeoutMs: 1000 }).storage['full-backup'](action('db-1/pg:full-backup'), context(desired, 'db-1')).catch((x: unknown) => x);
      expect((e as Error).message).toBe(`WalB server 127.0.0.1:${standin.server.port}: walbc full-bkp pg did not finish within 1 s (last seen: state FullSync, ar-1 at 1024 of 2097152 logical blocks)`);
    } finally {
      await archive.close();
    }
  });

  it('takes the time limit from the host\'s walb.taskTimeout in the tree', async () => {
    const state = sequence('SyncReady', 'FullSync');
    const desired = await storageTree((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: state() } : {}), { taskTimeout: '2s' });
    expect(desired.hosts['db-1']!.walb).toEqual({ taskTimeoutSeconds: 2 });
    const e = await driver().storage['full-backup'](action('db-1/pg:full-backup'), context(desired, 'db-1')).catch((x: unknown) => x);
    expect((e as Error).message).toBe(`WalB server 127.0.0.1:${standin!.server.port}: walbc full-bkp pg did not finish within 2 s (last seen: state FullSync)`);
  });

  it('reports a task that ends in the wrong state, and WalB\'s refusal, naming the server and the command', async () => {
    const state = sequence('SyncReady', 'FullSync', 'SyncReady');
    const desired = await storageTree((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: state() } : {}));
    const failed = await driver().storage['full-backup'](action('db-1/pg:full-backup'), context(desired, 'db-1')).catch((x: unknown) => x);
    expect(failed).toBeInstanceOf(WalbTaskFailedError);
    expect((failed as Error).message).toBe(`WalB server 127.0.0.1:${standin!.server.port}: walbc full-bkp pg ended without its result: the volume is SyncReady, not Target`);
    await standin!.close();
    const desired2 = await storageTree((cmd, p) => (cmd === 'get' ? { value: 'Stopped' } : cmd === 'start' ? { error: 'c2sStartServer:bad state:pg:Stopped' } : {}));
    const refused = await driver().storage.start(action('db-1/pg:start'), context(desired2, 'db-1')).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(WalbcError);
    expect((refused as WalbcError).message).toMatch(new RegExp(`^WalB server 127\\.0\\.0\\.1:${standin!.server.port}: walbc start pg target failed \\(exit 1\\): c2xStartClient:c2sStartServer:bad state:pg:Stopped$`));
  });

  it('clears as WalB\'s controller does: a Target volume stopped (force), reset, then clear-vol', async () => {
    const state = sequence('Target', 'StopTarget', 'Stopped', 'SyncReady');
    const desired = await storageTree((cmd, p) => (cmd === 'get' && p[0] === 'state' ? { value: state() } : {}));
    expect(await driver().storage.clear(action('db-1/pg:clear'), context(desired, 'db-1'))).toEqual({ walbc: 'stop pg force; reset-vol pg; clear-vol pg' });
    expect(standin!.calls.filter((c) => c.command !== 'get').map((c) => `${c.command} ${c.params.join(' ')}`)).toEqual(['stop pg force', 'reset-vol pg', 'clear-vol pg']);
  });

  it('takes a snapshot and returns its gid', async () => {
    const desired = await storageTree((cmd) => (cmd === 'snapshot' ? { value: 13 } : { error: 'unexpected' }));
    expect(await driver().storage.snapshot(action('db-1/pg:snapshot'), context(desired, 'db-1'))).toEqual({ walbc: 'snapshot pg', gid: 13 });
  });
});
