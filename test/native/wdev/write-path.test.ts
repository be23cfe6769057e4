// The write path under concurrency: overlapping writes in flight together (fio, iodepth 16, two
// jobs), a hole punch and an unaligned write. Replaying the extracted log onto zeros gives exactly
// the data device, so the log holds every write in the order the data device got them; concurrent
// writes shared logpacks (group commit) and the punch was logged as a discard.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyLogs } from '../../../native/lib/wdiff.js';
import { showWlog } from '../../../native/lib/wlog.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { extractWlog } from '../../../native/lib/wdev/log-position.js';
import { wdevPaths } from '../../../native/lib/wdev/paths.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { wdevStatus } from '../../../native/lib/wdev/status.js';
import { stopWdev } from '../../../native/lib/wdev/stop.js';
import { walbctl } from '../../helpers/cli.js';
import { Scratch, sha1, wdevSkipReason } from './fixture.js';

const SIZE = 16 << 20;
const skip = wdevSkipReason('fio', 'fallocate');

describe.skipIf(skip)('the wdev write path', () => {
  const s = new Scratch('write');
  const vol = 'wp';
  beforeAll(async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: SIZE, ringBytes: 64 << 20 });
    await serveWdev(s.dataDir, vol);
  }, 60_000);
  afterAll(() => s.cleanup(), 120_000);

  it('logs concurrent overlapping writes in the order the data device applies them', { timeout: 120_000 }, async () => {
    const p = wdevPaths(s.dataDir, vol);
    execFileSync('fio', ['--name=fill', `--filename=${p.file}`, '--rw=write', '--bs=1m', '--size=4m', '--direct=1', '--output=/dev/null']);
    execFileSync('fio', [
      '--name=overlap', `--filename=${p.file}`, '--rw=randwrite', '--bsrange=4k-64k', '--size=256k', '--io_size=4m',
      '--ioengine=libaio', '--iodepth=16', '--direct=1', '--numjobs=2', '--randrepeat=0', '--output=/dev/null',
    ]);
    execFileSync('fallocate', ['--punch-hole', '--offset', String(1 << 20), '--length', String(512 << 10), p.file]);
    const fd = openSync(p.file, 'r+');
    writeSync(fd, Buffer.from('hello, unaligned'), 0, 16, 3 * 4096 + 7);
    fsyncSync(fd);
    closeSync(fd);

    const live = readFileSync(p.file);
    expect(live.subarray(1 << 20, (1 << 20) + (512 << 10)).every((b) => b === 0)).toBe(true);
    expect(live.subarray(3 * 4096 + 7, 3 * 4096 + 23).toString()).toBe('hello, unaligned');
    const st = await wdevStatus(s.dataDir, vol);
    await stopWdev(s.dataDir, vol);

    const wlog = join(s.dir, 'all.wlog');
    await extractWlog(p, vol, { from: 0, to: st.latestLsid }, wlog);
    const show = await showWlog(wlog);
    expect(show.totals.discards).toBe(1);
    expect(show.packs.length).toBeLessThan(show.totals.writes); // group commit: several IOs per logpack

    const replay = join(s.dir, 'replay.img');
    writeFileSync(replay, '');
    truncateSync(replay, SIZE);
    await applyLogs([wlog], replay, { discard: 'zero' });
    expect(sha1(readFileSync(replay))).toBe(sha1(readFileSync(p.ddev)));
    expect(sha1(readFileSync(p.ddev))).toBe(sha1(live));

    // The same log through the CLI, from a stopped wdev; a start that is not a logpack is named.
    const cli = await walbctl(['wdev', 'extract', vol, '-o', join(s.dir, 'cli.wlog'), '--json', '--data-dir', s.dataDir]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ from: 0, to: st.latestLsid, discards: 1 });
    expect(sha1(readFileSync(join(s.dir, 'cli.wlog')))).toBe(sha1(readFileSync(wlog)));
    const bad = await walbctl(['wdev', 'extract', vol, '-o', join(s.dir, 'bad.wlog'), '--from', '1', '--data-dir', s.dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('lsid 1 does not start a logpack');
  });
});
