import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { runDriverAction } from '../../../reconciler/drivers/driver.js';
import { createNativeDriver } from '../../../reconciler/drivers/native/index.js';
import { walbcArgs } from '../../../reconciler/drivers/walb/argv.js';
import { parseBase, parseDiffs, parseRestorable, parseRestored } from '../../../reconciler/drivers/walb/parse.js';
import { walbServer } from '../../../reconciler/drivers/walb/index.js';
import { walbc, WalbcError } from '../../../reconciler/drivers/walb/walbc.js';
import { binPath } from '../../helpers/cli.js';
import { action, desiredFor, volume } from '../apply/fake-driver.js';

describe('the walb driver skeleton', () => {
  it('builds walbc commands from actions, in WalB\'s vocabulary', () => {
    expect(walbcArgs(action('h/v:init', { params: { role: 'storage' } }), 'v', { wdevPath: '/dev/walb/v' })).toEqual(['init-vol', 'v', '/dev/walb/v']);
    expect(walbcArgs(action('h/v:init', { params: { role: 'archive' } }), 'v')).toEqual(['init-vol', 'v']);
    expect(walbcArgs(action('h/v:full-backup'), 'v')).toEqual(['full-bkp', 'v']);
    expect(walbcArgs(action('h/v:merge', { params: { gidB: 4, gidE: 9 } }), 'v')).toEqual(['merge', 'v', '4', 'gid', '9']);
    expect(walbcArgs(action('h/v:restore', { params: { gid: 7, path: '/x' } }), 'v')).toEqual(['restore', 'v', '7']);
    expect(walbcArgs(action('h/v:delete-restore', { params: { gid: 7, path: '/x' } }), 'v')).toEqual(['del-restored', 'v', '7']);
    expect(walbcArgs(action('h/v:clear', { params: { role: 'archive' } }), 'v')).toEqual(['clear-vol', 'v']);
    expect(walbcArgs(action('h/v:replicate'), 'v')).toBeNull();
    expect(() => walbcArgs(action('h/v:apply', { params: {} }), 'v')).toThrow(/params.gid/);
  });

  it('finds each WalB server at its role\'s listen key in the host file, and names the missing key', () => {
    const { host } = desiredFor('/tmp/unused', []);
    const withListen = { ...host, roleSettings: { storage: { wlogSizeBytes: 1, listen: '127.0.0.1:10200' }, proxy: { listen: '[::1]:10100', spoolLimitBytes: 1 }, archive: null } };
    expect(walbServer(withListen, 'storage')).toEqual({ address: '127.0.0.1', port: 10200 });
    expect(walbServer(withListen, 'proxy')).toEqual({ address: '::1', port: 10100 });
    expect(() => walbServer(withListen, 'archive')).toThrow(`host ${host.name} has no archive.listen for its walb-archive server`);
    expect(() => walbServer({ ...withListen, roleSettings: { ...withListen.roleSettings, storage: { wlogSizeBytes: 1 } } }, 'storage')).toThrow(/no storage.listen/);
  });

  it('passes each argument as one argv element, and turns a failing walbc into one error', async () => {
    expect(await walbc({ address: '10.0.0.1', port: 10200 }, ['get', 'state', 'a b'], { binary: 'echo' })).toBe('-a 10.0.0.1 -p 10200 get state a b');
    const error = await walbc({ address: 'h', port: 1 }, ['get', 'state', 'v'], { binary: 'false' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WalbcError);
    expect((error as WalbcError).message).toBe('WalB server h:1: walbc get state v failed (exit 1): no message');
    expect((error as WalbcError).retryable).toBe(false);
    const missing = await walbc({ address: 'h', port: 1 }, ['get', 'state', 'v'], { binary: '/nonexistent/walbc' }).catch((e: unknown) => e);
    expect((missing as WalbcError).retryable).toBe(true);
  });

  it('reads WalB\'s get text forms into the same observed state the native driver reports', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walbctl-walb-'));
    const image = join(dataDir, 'volumes/demo.img');
    const { desired, host } = desiredFor(dataDir, [volume('demo', { device: { path: image, kind: 'file', sizeBytes: 1 << 20 } })]);
    const native = createNativeDriver();
    const ctx = { host, volume: host.volumes.demo, volumeName: 'demo', desired, planCreatedAt: new Date(Date.now() + 60_000).toISOString() };
    await runDriverAction(native, action('local/demo:init', { params: { role: 'archive' } }), ctx);
    await runDriverAction(native, action('local/demo:init', { params: { role: 'storage' } }), ctx);
    await runDriverAction(native, action('local/demo:full-backup', { params: { archive: 'local' } }), ctx);
    for (let i = 0; i < 2; i++) {
      const fd = openSync(image, 'r+');
      writeSync(fd, randomBytes(4096), 0, 4096, i * 65536);
      closeSync(fd);
      await runDriverAction(native, action('local/demo:snapshot'), ctx);
    }
    await runDriverAction(native, action('local/demo:restore', { params: { gid: 3, path: join(dataDir, 'r.img') } }), ctx);
    const get = (what: string) => execFileSync(process.execPath, [binPath, 'archive', 'get', what, 'demo', '--data-dir', dataDir], { encoding: 'utf8' });
    const observed = await native.archive.observe({ host, name: 'demo', volume: host.volumes.demo });
    expect(parseDiffs(get('diff'))).toEqual(observed?.diffs.map((d) => ({ ...d, timestamp: d.timestamp.replace(/\.\d+Z$/, 'Z') })));
    expect(parseRestorable(get('restorable'))).toEqual(observed?.restorable.map((r) => ({ ...r, timestamp: r.timestamp.replace(/\.\d+Z$/, 'Z') })));
    expect(parseRestored(get('restored')).map((r) => [r.gid, r.path])).toEqual([[3, join(dataDir, 'r.img')]]);
    expect(parseBase(get('base'))).toEqual(observed?.base);
  });

  it('names the line of a text form it cannot read', () => {
    expect(() => parseDiffs('|0,1|-->|2| M- 2026-11-21T10:00:00 4096\nnonsense\n')).toThrow('walbc get diff line 2: not a diff line: "nonsense"');
    expect(parseBase('<3-->5>')).toEqual({ b: { b: 3, e: 3 }, e: { b: 5, e: 5 } });
    expect(parseBase('<0,1>')).toEqual({ b: { b: 0, e: 1 } });
  });
});
