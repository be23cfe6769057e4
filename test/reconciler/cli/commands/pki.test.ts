/**
 * `walbctl pki init` and `pki issue`: a CA and host certificates whose identity is the SAN, keys
 * mode 0600, and no file overwritten unless asked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { walbctl } from '../../../helpers/cli.js';

describe('walbctl pki', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-pki-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a CA with its key readable by its owner only', async () => {
    const r = await walbctl(['pki', 'init', 'fleet-pki'], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(statSync(join(dir, 'fleet-pki/ca.key')).mode & 0o777).toBe(0o600);
    const text = execFileSync('openssl', ['x509', '-in', join(dir, 'fleet-pki/ca.crt'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/CA:TRUE/);
  });

  it('issues a host certificate naming the host in its SAN, signed by the CA', async () => {
    const r = await walbctl(['pki', 'issue', 'ar-1', '--dir', 'fleet-pki'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ar-1.crt');
    expect(statSync(join(dir, 'fleet-pki/ar-1.key')).mode & 0o777).toBe(0o600);
    const text = execFileSync('openssl', ['x509', '-in', join(dir, 'fleet-pki/ar-1.crt'), '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    expect(text).toContain('DNS:ar-1');
    const verify = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'fleet-pki/ca.crt'), join(dir, 'fleet-pki/ar-1.crt')], { encoding: 'utf8' });
    expect(verify).toMatch(/OK/);
  });

  it('refuses to overwrite a CA or a certificate without --force, and refuses a bad host name', async () => {
    expect((await walbctl(['pki', 'init', 'fleet-pki'], { cwd: dir })).stderr).toMatch(/holds a CA already.*--force/);
    expect((await walbctl(['pki', 'issue', 'ar-1', '--dir', 'fleet-pki'], { cwd: dir })).stderr).toMatch(/ar-1\.crt exists; --force/);
    expect((await walbctl(['pki', 'issue', '../etc', '--dir', 'fleet-pki'], { cwd: dir })).stderr).toMatch(/is not a host name/);
  });
});
