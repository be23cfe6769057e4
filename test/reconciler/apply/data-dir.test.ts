/**
 * The host's dataDir before anything is written to it: a missing one is created only when the tree
 * says so (createDataDir) or by an operator's `walbctl apply` (the first init, which says so); the
 * daemon refuses it otherwise; a dataDir that is a file is a diagnostic naming the host file and line.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ensureDataDir } from '../../../reconciler/apply/data-dir.js';
import { loadHostContext } from '../../../reconciler/apply/host-context.js';
import { walbctl } from '../../helpers/cli.js';

function tree(dataDirLine: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-datadir-'));
  mkdirSync(join(dir, 'hosts'));
  writeFileSync(join(dir, 'hosts/h.yaml'), `host: h\naddress: 127.0.0.1\nroles: [storage, proxy, archive]\n${dataDirLine}\ndriver: native\n`);
  return dir;
}

describe("a host's dataDir", () => {
  it('that does not exist is refused by the daemon with the host file and line, and created nowhere', async () => {
    const dir = tree('dataDir: typo-data');
    const { host } = await loadHostContext(dir, 'h');
    const error = await ensureDataDir(host, { mayCreate: false }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^hosts\/h\.yaml:4:\d+: dataDir .*typo-data of host h does not exist; the daemon does not create it/);
    expect(existsSync(join(dir, 'typo-data'))).toBe(false);
  });

  it('that does not exist is created when the tree says createDataDir: true', async () => {
    const dir = tree('dataDir: data\ncreateDataDir: true');
    const { host } = await loadHostContext(dir, 'h');
    expect(await ensureDataDir(host, { mayCreate: false })).toBe(true);
    expect(existsSync(join(dir, 'data'))).toBe(true);
    expect(await ensureDataDir(host, { mayCreate: false })).toBe(false);
  });

  it('that does not exist is created by an operator\'s walbctl apply, which says so', async () => {
    const dir = tree('dataDir: data');
    const r = await walbctl(['apply', '--host', 'h'], { cwd: dir });
    expect(r.stderr).toContain(`created the data directory ${join(dir, 'data')} (the host's first init)`);
    expect(existsSync(join(dir, 'data'))).toBe(true);
  });

  it('that is a file gives a diagnostic naming the host file and line, not ENOTDIR', async () => {
    const dir = tree('dataDir: afile');
    writeFileSync(join(dir, 'afile'), 'x');
    const r = await walbctl(['apply', '--host', 'h'], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/hosts\/h\.yaml:4:\d+: dataDir .*afile of host h is a file, not a directory/);
    expect(r.stderr).not.toContain('ENOTDIR');
  });
});
