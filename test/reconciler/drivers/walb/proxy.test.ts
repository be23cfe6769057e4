/**
 * The walb driver's proxy functions against WalB's real walb-proxy, driven by WalB's real walbc
 * (../shared/walb-tools/bin), on a loopback port picked at run time. Skips, saying why, where the
 * binaries are missing or do not run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { walbcArgs } from '../../../../reconciler/drivers/walb/argv.js';
import { observeProxy, parseArchiveList, parseProxyState, parseProxyStatus, proxy } from '../../../../reconciler/drivers/walb/proxy.js';
import { proxyCommands, reconcileProxy } from '../../../../reconciler/drivers/walb/proxy-reconcile.js';
import { walbc, WalbcError, type WalbServer } from '../../../../reconciler/drivers/walb/walbc.js';
import { action } from '../../apply/fake-driver.js';
import { freePort, type RunningWalbProxy, startWalbProxy, walbcOptions as options, walbSkipReason as skipReason } from '../../../helpers/walb-proxy.js';

if (skipReason) console.warn(`walb/proxy.test.ts skipped: ${skipReason}`);

let dir = '';
let running: RunningWalbProxy | undefined;
let server: WalbServer = { address: '127.0.0.1', port: 0 };

describe.skipIf(skipReason !== '')('the walb driver against the real walb-proxy', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walbctl-walb-proxy-'));
    running = await startWalbProxy(dir);
    server = running.server;
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the proxy\'s status and a volume it does not hold as Clear', async () => {
    const status = await proxy.status(server, options);
    expect(status.global.nodeId).toBe('p0');
    expect(status.global.baseDir).toBe(join(dir, 'base'));
    expect(await proxy.state(server, 'v1', options)).toBe('Clear');
    expect(await observeProxy(server, 'v1', options)).toBeUndefined();
  });

  it('adds, lists and deletes archive destinations, and starts and stops the volume', async () => {
    await proxy.addArchive(server, 'v1', 'a0', '127.0.0.1:1', options);
    await proxy.addArchive(server, 'v1', 'a1', '[::1]:2', options).catch(() => proxy.addArchive(server, 'v1', 'a1', '127.0.0.2:2', options));
    expect(await proxy.archives(server, 'v1', options)).toEqual(['a0', 'a1']);
    expect((await proxy.archive(server, 'v1', 'a0', options)).address).toBe('127.0.0.1:1');
    expect(await observeProxy(server, 'v1', options)).toEqual({ state: 'Stopped', archives: ['a0', 'a1'] });
    await proxy.start(server, 'v1', options);
    expect(await observeProxy(server, 'v1', options)).toEqual({ state: 'Started', archives: ['a0', 'a1'] });
    expect((await proxy.status(server, options)).volumes).toEqual(['v1']);
    await proxy.stop(server, 'v1', options);
    expect(await proxy.state(server, 'v1', options)).toBe('Stopped');
    await proxy.deleteArchive(server, 'v1', 'a1', options);
    expect(await proxy.archives(server, 'v1', options)).toEqual(['a0']);
    await proxy.deleteArchive(server, 'v1', 'a0', options);
    expect(await observeProxy(server, 'v1', options)).toBeUndefined();
  });

  it('turns WalB\'s refusals into typed errors naming the server and the command', async () => {
    const refused = await proxy.start(server, 'nothing', options).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WalbcError);
    const e = refused as WalbcError;
    expect(e.message).toMatch(new RegExp(`^WalB server 127\\.0\\.0\\.1:${server.port}: walbc start nothing failed \\(exit 1\\): .*bad state:Clear$`));
    expect(e.message).not.toMatch(/STACKTRACE/);
    expect(e.retryable).toBe(false);
    // walbc's own argument parsing rejects a wrong argument list.
    const short = await proxy.addArchive(server, 'v1', '', '', options).catch((x: unknown) => x);
    expect(short).toBeInstanceOf(WalbcError);
    expect((short as WalbcError).command).toEqual(['archive-info', 'add', 'v1', '', '']);
  });

  it('brings the proxy\'s destinations to the tree: adds, swaps, changes nothing when done, and clears', async () => {
    const a = (name: string, port: number) => ({ name, address: `127.0.0.1:${port}` });
    expect(await reconcileProxy(server, 'v2', [a('ar-1', 1), a('ar-2', 2)], options)).toEqual([
      ['archive-info', 'add', 'v2', 'ar-1', '127.0.0.1:1'],
      ['archive-info', 'add', 'v2', 'ar-2', '127.0.0.1:2'],
      ['start', 'v2'],
    ]);
    expect(await observeProxy(server, 'v2', options)).toEqual({ state: 'Started', archives: ['ar-1', 'ar-2'] });
    // walb-proxy refuses archive-info while Started: the change is wrapped in stop/start.
    expect(await reconcileProxy(server, 'v2', [a('ar-2', 2), a('ar-3', 3)], options)).toEqual([
      ['stop', 'v2'],
      ['archive-info', 'add', 'v2', 'ar-3', '127.0.0.1:3'],
      ['archive-info', 'delete', 'v2', 'ar-1'],
      ['start', 'v2'],
    ]);
    expect(await observeProxy(server, 'v2', options)).toEqual({ state: 'Started', archives: ['ar-2', 'ar-3'] });
    expect(await reconcileProxy(server, 'v2', [a('ar-3', 3), a('ar-2', 2)], options)).toEqual([]);
    await proxy.stop(server, 'v2', options);
    expect(await reconcileProxy(server, 'v2', [a('ar-2', 2), a('ar-3', 3)], options)).toEqual([['start', 'v2']]);
    expect(await reconcileProxy(server, 'v2', [], options)).toEqual([['stop', 'v2'], ['archive-info', 'delete', 'v2', 'ar-2'], ['archive-info', 'delete', 'v2', 'ar-3']]);
    expect(await observeProxy(server, 'v2', options)).toBeUndefined();
  });
});

describe.skipIf(skipReason !== '')('the walb driver\'s storage, archive and proxy commands under walbc\'s own argument parsing', () => {
  // walbc checks its argument list before it connects: on a loopback port nobody listens on, an
  // accepted list fails at connect and a wrong one with "missing required params".
  it('passes every command the driver builds, and walbc rejects a short one', async () => {
    const closed: WalbServer = { address: '127.0.0.1', port: await freePort() };
    const actions = [
      action('h/v:init', { params: { role: 'storage' } }), action('h/v:init', { params: { role: 'archive' } }), action('h/v:full-backup'),
      action('h/v:hash-backup'), action('h/v:snapshot'), action('h/v:start', { params: { role: 'storage' } }), action('h/v:start', { params: { role: 'archive' } }),
      action('h/v:stop'), action('h/v:clear'), action('h/v:restore', { params: { gid: 7, path: '/x' } }),
      action('h/v:delete-restore', { params: { gid: 7, path: '/x' } }), action('h/v:apply', { params: { gid: 7 } }), action('h/v:merge', { params: { gidB: 4, gidE: 9 } }),
      action('h/v:start', { params: { role: 'proxy' } }), action('h/v:add-destination', { params: { role: 'proxy', to: 'a0', address: '127.0.0.1:1' } }),
      action('h/v:delete-destination', { params: { role: 'proxy', to: 'a0' } }),
      action('h/v:replicate', { params: { to: 'a1', toGid: 9, method: null, compression: 'lz4' } }), action('h/v:replicate', { params: { to: 'a1', toGid: 9, method: 'diff', compression: 'none' } }),
      action('h/v:synchronize', { params: { to: 'a1', toGid: 9, method: 'hash', compression: 'zstd' } }),
    ];
    let checked = 0;
    for (const a of actions) {
      const argv = walbcArgs(a, 'v', { wdevPath: '/dev/walb/v', replicaAddress: '127.0.0.1:10200' })!;
      const e = (await walbc(closed, argv, options).catch((x: unknown) => x)) as WalbcError;
      expect(e, argv.join(' ')).toBeInstanceOf(WalbcError);
      expect(e.walbMessage, argv.join(' ')).toMatch(/Socket::connect.*Connection refused/);
      checked++;
    }
    expect(checked).toBe(actions.length);
    const short = (await walbc(closed, ['merge', 'v', '4'], options).catch((x: unknown) => x)) as WalbcError;
    expect(short.walbMessage).toMatch(/missing required params/);
    // The commands the driver runs besides the plan's: synchronize's `stop VOL empty` on walb-proxy.
    expect(((await walbc(closed, ['stop', 'v', 'empty'], options).catch((x: unknown) => x)) as WalbcError).walbMessage).toMatch(/Connection refused/);
    // A replicate without the receiver, or with a codec WalB does not know, is refused by walbc itself.
    expect(((await walbc(closed, ['replicate', 'v', 'gid', '9'], options).catch((x: unknown) => x)) as WalbcError).walbMessage).toMatch(/missing required params/);
    expect(((await walbc(closed, ['replicate', 'v', 'gid', '9', '127.0.0.1:1', '1', '0', 'lz5:0:1'], options).catch((x: unknown) => x)) as WalbcError).walbMessage).toMatch(/parseCompressionType:wrong type:lz5/);
  });
});

describe('the walb driver\'s proxy commands', () => {
  it('plans nothing for a volume the proxy does not hold and the tree gives no archive', () => {
    expect(proxyCommands('v', undefined, [])).toEqual([]);
    expect(proxyCommands('v', { state: 'Stopped', archives: ['a'] }, [{ name: 'a', address: 'h:1' }])).toEqual([['start', 'v']]);
  });
});

describe('the walb driver\'s proxy text forms', () => {
  it('names the line or the form it cannot read', () => {
    expect(() => parseProxyState('Archived')).toThrow('walbc get state: "Archived" is not a walb-proxy volume state (Clear, Stopped, Started)');
    expect(() => parseArchiveList('a0\nno such\n')).toThrow('walbc archive-info list line 2: not an archive name: "no such"');
    expect(() => parseProxyStatus('-----StorageGlobal-----\nnodeId s0\n')).toThrow(/not a walb-proxy status/);
    expect(() => parseProxyStatus('-----ProxyGlobal-----\nnodeId\n')).toThrow('walbc status line 2: not a "key value" line: "nodeId"');
  });
});
