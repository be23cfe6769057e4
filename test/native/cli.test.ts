/**
 * The wlog and wdiff commands (reconciler/cli/commands/{wlog,wdiff}): output, --json, --help, exit
 * codes and one clear error line on bad input. In-process for output checks; as a real process for
 * exit codes.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { vectorsDir, walbctl, walbctlProcess } from '../helpers/cli.js';
import { sha1, tempDir, zeroImage } from './helpers.js';

const V = (f: string) => join(vectorsDir, f);
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir()));
afterAll(() => tmp.cleanup());

describe('walbctl wlog show', () => {
  it('prints the header, packs, records and end of each wlog', async () => {
    const r = await walbctl(['wlog', 'show', V('a4k.wlog'), V('b4k.wlog')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pbs 4096');
    expect(r.stdout).toMatch(/pack lsid 0 at byte 4096: 2 records, 10 physical blocks/);
    expect(r.stdout).toContain('end: end-block');
    expect(r.stdout.match(/^total:/gm)).toHaveLength(2);
  });
  it('prints {"files": [...]} with --json', async () => {
    const r = await walbctl(['wlog', 'show', V('small512.wlog'), '--json']);
    const j = JSON.parse(r.stdout) as { files: Array<{ header: { pbs: number }; totals: { discards: number } }> };
    expect(j.files[0]!.header.pbs).toBe(512);
    expect(j.files[0]!.totals.discards).toBe(7);
  });
});

describe('walbctl wlog to-wdiff', () => {
  it('converts consecutive wlogs into the bytes WalB wrote', async () => {
    const o = join(tmp.dir, 'ab.wdiff');
    const r = await walbctl(['wlog', 'to-wdiff', V('a4k.wlog'), V('b4k.wlog'), '-o', o, '--compress', 'snappy', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ output: o, indexed: false, endLsid: '260' });
    expect(readFileSync(o).subarray(32).equals(readFileSync(V('ab4k.merged.wdiff')).subarray(32))).toBe(true);
  });
  it('writes an indexed wdiff with --indexed', async () => {
    const o = join(tmp.dir, 'a.iwdiff');
    expect((await walbctl(['wlog', 'to-wdiff', V('a4k.wlog'), '-o', o, '--indexed', '--compress', 'snappy'])).code).toBe(0);
    expect(readFileSync(o).equals(readFileSync(V('a4k.iwdiff')))).toBe(true);
  });
  it('exits 1 with one line and leaves no output on a bad wlog', () => {
    const bad = join(tmp.dir, 'bad.wlog');
    const b = readFileSync(V('a4k.wlog'));
    b[30] ^= 1;
    writeFileSync(bad, b);
    const o = join(tmp.dir, 'never.wdiff');
    const r = walbctlProcess(['wlog', 'to-wdiff', bad, '-o', o]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}: byte 8: wlog header checksum mismatch [wlog-header-checksum]`);
    expect(existsSync(o)).toBe(false);
  });
  it('leaves no output when killed in the middle of a conversion', async () => {
    const { spawn } = await import('node:child_process');
    const { binPath } = await import('../helpers/cli.js');
    const { writeWlog } = await import('../../native/lib/index.js');
    const { blockData, prng } = await import('./helpers.js');
    const rand = prng(3);
    const wlog = join(tmp.dir, 'kill.wlog');
    await writeWlog(wlog, { pbs: 4096 }, Array.from({ length: 32 }, (_, i) => ({ kind: 'write' as const, address: i * 2048, blocks: 2048, data: blockData(rand, 2048, 'runs') })));
    const o = join(tmp.dir, 'killed.wdiff');
    const child = spawn(process.execPath, [binPath, 'wlog', 'to-wdiff', wlog, '-o', o, '--compress', 'lzma'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 700));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(o)).toBe(false);
  });
  it('refuses an unknown --compress and a missing -o', async () => {
    expect((await walbctl(['wlog', 'to-wdiff', V('a4k.wlog'), '-o', 'x', '--compress', 'brotli'])).stderr).toContain('--compress');
    expect((await walbctl(['wlog', 'to-wdiff', V('a4k.wlog')])).stderr).toContain('-o is required');
  });
});

describe('walbctl wlog apply and wdiff apply', () => {
  it.each([
    [['wlog', 'apply'], ['a4k.wlog', 'b4k.wlog']],
    [['wdiff', 'apply'], ['a4k.iwdiff', 'b4k.wdiff']],
  ])('%j %j gives the README image', async (cmd, files) => {
    const img = join(tmp.dir, `img-${files[0]}`);
    writeFileSync(img, zeroImage());
    const r = await walbctl([...cmd, ...files.map(V), '--target', img, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: img });
    expect(sha1(readFileSync(img))).toBe('854cb3258f392ea4ab7118eb5e95096cadc53785');
  });
  it('punches holes for discards with --discard punch and still reads zeros there', async () => {
    const img = join(tmp.dir, 'punch.img');
    writeFileSync(img, zeroImage());
    const r = await walbctl(['wdiff', 'apply', V('small512.wdiff'), '--target', img, '--discard', 'punch']);
    expect(r.code).toBe(0);
    expect(sha1(readFileSync(img))).toBe('6b2c64de19bc0aa867a9110d3f04a487e3f08bd0');
  });
  it('refuses --discard other than zero or punch', async () => {
    const r = await walbctl(['wdiff', 'apply', V('small512.wdiff'), '--target', 'x', '--discard', 'trim']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--discard');
  });
});

describe('walbctl wdiff show', () => {
  it('prints the statistics as wdiff-show -stat does with --stat', async () => {
    const r = await walbctl(['wdiff', 'show', V('small512.wdiff'), '--stat']);
    expect(r.stdout).toMatch(/normal\s+32 records\s+943 blocks/);
    expect(r.stdout).toMatch(/allzero\s+1 records\s+21 blocks/);
    expect(r.stdout).toMatch(/discard\s+7 records\s+194 blocks/);
    expect(r.stdout).toContain('24664 bytes of data');
  });
  it('lists every record, and the indexed offsets of an indexed wdiff, with --json', async () => {
    const r = await walbctl(['wdiff', 'show', V('a4k.iwdiff'), '--json']);
    const j = JSON.parse(r.stdout) as { kind: string; records: Array<{ ioOffset?: number }>; stats: { records: number } };
    expect(j.kind).toBe('indexed-wdiff');
    expect(j.records).toHaveLength(136);
    expect(j.records[1]!.ioOffset).toBe(1);
  });
});

describe('walbctl wdiff merge', () => {
  it('merges into WalB\'s bytes with --compress snappy', async () => {
    const o = join(tmp.dir, 'm.wdiff');
    const r = await walbctl(['wdiff', 'merge', V('a4k.wdiff'), V('b4k.wdiff'), '-o', o, '--compress', 'snappy']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/discard\s+11 records/);
    expect(readFileSync(o).subarray(32).equals(readFileSync(V('ab4k.merged.wdiff')).subarray(32))).toBe(true);
  });
});

describe('walbctl wdiff verify', () => {
  it('says ok for good files and exits 0', () => {
    const r = walbctlProcess(['wdiff', 'verify', V('small512.lzma.wdiff'), V('a4k.iwdiff'), V('a4k.wlog')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(r.stdout).toContain('ok (indexed-wdiff');
  });
  it('names the file, offset and rule of a bad file and exits 1', () => {
    const bad = join(tmp.dir, 'bad.wdiff');
    copyFileSync(V('small512.wdiff'), bad);
    const b = readFileSync(bad);
    b[32 + 4096 + 10] ^= 0xff;
    writeFileSync(bad, b);
    const r = walbctlProcess(['wdiff', 'verify', V('small512.wdiff'), bad, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Array<{ ok: boolean; offset?: number; rule?: string }>;
    expect(j[0]!.ok).toBe(true);
    expect(j[1]).toMatchObject({ ok: false, offset: 4128, rule: 'record-data-checksum' });
  });
});

describe('help', () => {
  it.each([
    ['wlog', 'show'],
    ['wlog', 'to-wdiff'],
    ['wlog', 'apply'],
    ['wdiff', 'show'],
    ['wdiff', 'merge'],
    ['wdiff', 'apply'],
    ['wdiff', 'verify'],
  ])('walbctl %s %s --help prints its usage and every flag it parses', async (group, cmd) => {
    const r = await walbctl([group, cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: walbctl ${group} ${cmd}`);
    expect(r.stdout).toContain('--json');
  });
});
