// walbctl wdev as a user meets it without root: the command list, --help, usage errors, one-line
// errors naming the file, and the mapping of walbctl-wdev's error lines to error classes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseSize } from '../../../reconciler/cli/commands/wdev/_common.js';
import { UsageError } from '../../../common/errors.js';
import { fromBinary, WdevCorruptError, WdevError, WdevOverflowError, WdevUnavailableError } from '../../../native/lib/wdev/errors.js';
import { walbctl } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'walbctl-wdev-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('walbctl wdev', () => {
  it('lists its commands with a summary each', async () => {
    const r = await walbctl(['wdev', '--help']);
    expect(r.code).toBe(0);
    for (const c of ['attach', 'backup', 'create', 'detach', 'extract', 'format', 'repair', 'serve', 'snapshot', 'status', 'stop']) {
      expect(r.stdout).toMatch(new RegExp(`^  wdev ${c} +\\S`, 'm'));
    }
  });

  it('prints help that names every option the command parses', async () => {
    const r = await walbctl(['wdev', 'create', '--help']);
    expect(r.stdout).toContain('Usage: walbctl wdev create VOL --size SIZE');
    for (const o of ['--size', '--ring', '--pbs', '--data-dir', '--json']) expect(r.stdout).toContain(o);
  });

  it('refuses create without --size in one line', async () => {
    const r = await walbctl(['wdev', 'create', 'v', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('walbctl: error: wdev create: --size is required (see "walbctl wdev create --help")\n');
  });

  it('names the missing wdev.json when the volume does not exist', async () => {
    const r = await walbctl(['wdev', 'status', 'nosuch', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`walbctl: error: ${join(dir, 'wdev/nosuch/wdev.json')}: no such wdev (create it with "walbctl wdev create")\n`);
  });

  it('refuses a volume name that is not safe as a file name', async () => {
    const r = await walbctl(['wdev', 'status', '../x', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('volume name "../x" is not valid');
  });

  it('asks for --force before discarding log', async () => {
    expect((await walbctl(['wdev', 'format', 'v', '--data-dir', dir])).stderr).toContain('pass --force');
    expect((await walbctl(['wdev', 'repair', 'v', '--data-dir', dir])).stderr).toContain('pass --force');
  });

  it('parses sizes in binary units and names the flag of a bad one', () => {
    expect(parseSize('64M', 'size')).toBe(64 << 20);
    expect(parseSize('1GiB', 'size')).toBe(2 ** 30);
    expect(parseSize('4096', 'ring')).toBe(4096);
    expect(() => parseSize('12X', 'ring')).toThrow(UsageError);
    expect(() => parseSize('12X', 'ring')).toThrow('--ring');
  });
});

describe("walbctl-wdev's error lines", () => {
  it('become a corruption error carrying the byte offset', () => {
    const e = fromBinary('walbctl-wdev: corrupt-logpack: /d/ldev: corrupt logpack at byte offset 16384 (lsid 2, durable up to lsid 6): x\n', 'v');
    expect(e).toBeInstanceOf(WdevCorruptError);
    expect((e as WdevCorruptError).offset).toBe(16384);
    expect((e as WdevCorruptError).file).toBe('/d/ldev');
  });

  it('name a missing /dev/fuse and say scan capture still works', () => {
    const e = fromBinary('walbctl-wdev: no-fuse: /dev/fuse is not usable (No such file or directory): load the fuse module; scan capture still works\n', 'v');
    expect(e).toBeInstanceOf(WdevUnavailableError);
    expect(e.message).toMatch(/\/dev\/fuse is not usable .*\(scan capture still works\)$/);
  });

  it('map overflow and other codes to their classes', () => {
    expect(fromBinary('walbctl-wdev: overflow: the log overflowed\n', 'v')).toBeInstanceOf(WdevOverflowError);
    const e = fromBinary('walbctl-wdev: bad-lsid: lsid 7 is not a logpack boundary\n', 'v');
    expect(e).toBeInstanceOf(WdevError);
    expect(e.code).toBe('wdev-bad-lsid');
  });
});
