// Bad input and faults: a corrupt super sector or logpack is reported with its byte offset and the
// volume is not served until "walbctl wdev repair" (which marks it overflowed); a missing /dev/fuse
// is named in one clear line.
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { backupWdev } from '../../../native/lib/wdev/capture.js';
import { createWdev, formatWdev } from '../../../native/lib/wdev/create.js';
import { WdevCorruptError } from '../../../native/lib/wdev/errors.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { repairWdev } from '../../../native/lib/wdev/repair.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { wdevStatus } from '../../../native/lib/wdev/status.js';
import { stopWdev } from '../../../native/lib/wdev/stop.js';
import { projectRoot, walbctlProcess } from '../../helpers/cli.js';
import { Scratch, wdevSkipReason } from './fixture.js';

function flipByte(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, offset);
  b[0] = b[0]! ^ 0x5a;
  writeSync(fd, b, 0, 1, offset);
  fsyncSync(fd);
  closeSync(fd);
}

function writeAndSync(file: string, offset: number, bytes: number): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(bytes, 0xab), 0, bytes, offset);
  fsyncSync(fd);
  closeSync(fd);
}

const skip = wdevSkipReason('unshare', 'setpriv');

describe.skipIf(skip)('a wdev with a damaged log device', () => {
  const s = new Scratch('faults');
  beforeAll(() => {
    for (const v of ['super', 'pack', 'data', 'nofuse', 'reformat']) s.volume(v);
  });
  afterAll(() => s.cleanup(), 120_000);

  it('refuses to serve a corrupt super sector, naming byte offset 4096, until repaired', { timeout: 60_000 }, async () => {
    await createWdev(s.dataDir, 'super', { sizeBytes: 8 << 20, ringBytes: 4 << 20 });
    const p = wdevPaths(s.dataDir, 'super');
    flipByte(p.ldev, 4096 + 112); // oldest lsid
    const err = await serveWdev(s.dataDir, 'super').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WdevCorruptError);
    expect((err as WdevCorruptError).offset).toBe(4096);
    const cli = walbctlProcess(['wdev', 'status', 'super', '--data-dir', s.dataDir]);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toContain('corrupt super sector at byte offset 4096');
    expect(walbctlProcess(['wdev', 'repair', 'super', '--data-dir', s.dataDir]).stderr).toContain('pass --force');
    const r = await repairWdev(s.dataDir, 'super');
    expect(r).toMatchObject({ repaired: 'rebuilt the super sector', overflow: true });
    const served = await serveWdev(s.dataDir, 'super');
    expect(served.pid).toBeGreaterThan(0);
    expect(await wdevStatus(s.dataDir, 'super')).toMatchObject({ overflow: true, overflowReason: 'log-repaired' });
  });

  for (const [vol, where, offset] of [
    ['pack', 'header', 8192 + 2 * 4096 + 8], // the second pack (lsid 2) starts at ring block 2: its lsid field
    ['data', 'IO data', 8192 + 3 * 4096 + 100], // the second pack's data block (lsid 3)
  ] as const) {
    it(`refuses to serve a logpack whose ${where} is corrupt, naming its byte offset, until repaired`, { timeout: 60_000 }, async () => {
      await createWdev(s.dataDir, vol, { sizeBytes: 8 << 20, ringBytes: 4 << 20 });
      const p = wdevPaths(s.dataDir, vol);
      await serveWdev(s.dataDir, vol);
      writeAndSync(p.file, 0, 4096); // pack at lsid 0: header + 1 block
      writeAndSync(p.file, 65536, 4096); // pack at lsid 2
      writeAndSync(p.file, 131072, 4096); // pack at lsid 4
      await stopWdev(s.dataDir, vol); // clean stop: the log is durable and checkpointed
      flipByte(p.ldev, offset);
      const err = await serveWdev(s.dataDir, vol).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WdevCorruptError);
      expect((err as WdevCorruptError).offset).toBe(8192 + 4096 * (where === 'header' ? 2 : 3));
      expect((err as Error).message).toContain('lsid 2');
      const r = await repairWdev(s.dataDir, vol);
      expect(r.overflow).toBe(true);
      expect(r.repaired).toContain('lsid 2');
      await serveWdev(s.dataDir, vol);
      const st = await wdevStatus(s.dataDir, vol);
      expect(st).toMatchObject({ overflow: true, overflowReason: 'log-repaired' });
    });
  }

  it('reformats the log device on request, after which capture needs a hash backup', { timeout: 60_000 }, async () => {
    await createWdev(s.dataDir, 'reformat', { sizeBytes: 8 << 20, ringBytes: 4 << 20 });
    const p = wdevPaths(s.dataDir, 'reformat');
    await serveWdev(s.dataDir, 'reformat');
    await backupWdev(s.dataDir, 'reformat');
    writeAndSync(p.file, 0, 8192);
    await expect(formatWdev(s.dataDir, 'reformat')).rejects.toThrow('stop serving it before formatting');
    await stopWdev(s.dataDir, 'reformat');
    flipByte(p.ldev, 4096 + 20);
    expect(await serveWdev(s.dataDir, 'reformat').catch((e: unknown) => e)).toBeInstanceOf(WdevCorruptError);
    const st = await formatWdev(s.dataDir, 'reformat');
    expect(st).toMatchObject({ overflow: true, overflowReason: 'log-reformatted', oldestLsid: 0, latestLsid: 0 });
    await serveWdev(s.dataDir, 'reformat');
    const hb = await backupWdev(s.dataDir, 'reformat');
    expect(hb.kind).toBe('hash');
    expect((await wdevStatus(s.dataDir, 'reformat')).overflow).toBe(false);
  });

  it('names root when a user without it serves a wdev', { timeout: 60_000 }, async () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, `${projectRoot}bin/walbctl.js`, 'wdev', 'serve', 'super', '--data-dir', s.dataDir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('walbctl: error: serving a wdev needs root (a FUSE mount other users and loop devices can open) (scan capture still works)\n');
  });

  it('names /dev/fuse when it is missing', { timeout: 60_000 }, async () => {
    await createWdev(s.dataDir, 'nofuse', { sizeBytes: 8 << 20, ringBytes: 4 << 20 });
    const p = wdevPaths(s.dataDir, 'nofuse');
    // A mount namespace whose /dev has no fuse device, as in a container started without it.
    const r = spawnSync('unshare', ['--mount', 'sh', '-c', `mount -t tmpfs none /dev && exec "$0" "$@"`, `${projectRoot}build/Release/walbctl-wdev`,
      'serve', '--ldev', p.ldev, '--ddev', p.ddev, '--mount', p.mnt, '--socket', p.socket], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^walbctl-wdev: no-fuse: \/dev\/fuse is not usable/);
    expect(r.stderr).toContain('scan capture still works');
  });
});
