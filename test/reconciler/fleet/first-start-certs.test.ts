import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { loadDesiredState } from '../../../reconciler/desired/load.js';
import { FirstStartCertificates, missingCertificatesHint } from '../../../reconciler/fleet/first-start-certs.js';
import type { DesiredState } from '../../../reconciler/model/desired.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const log = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A tree of a storage host `st` whose volume goes to archive host `ar`; `extra` is added to ar's file. */
async function tree(extra = ''): Promise<{ dir: string; state: DesiredState }> {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-certs-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'hosts'));
  writeFileSync(join(dir, 'hosts', 'st.yaml'), 'host: st\naddress: 127.0.0.1\nroles: [storage]\ndataDir: data/st\nvolumes:\n  v:\n    device: {path: v.img, size: 1MiB}\n    capture: scan\n    proxies: []\n    archives: [ar]\n    snapshots: {every: 1h}\n    retention: {keepLast: 1}\n');
  writeFileSync(join(dir, 'hosts', 'ar.yaml'), `host: ar\naddress: 127.0.0.2\nroles: [archive]\ndataDir: data/ar\n${extra}`);
  const r = await loadDesiredState(dir);
  if (!r.state) throw new Error(JSON.stringify(r.diagnostics));
  return { dir, state: r.state };
}

const verify = (ca: string, cert: string) => execFileSync('openssl', ['verify', '-CAfile', ca, cert], { encoding: 'utf8' });

describe.skipIf(!hasOpenssl)('certificates made on first start', () => {
  it('gives hosts served together one CA and a key (mode 0600) and certificate each, at their default paths', async () => {
    const { state } = await tree();
    const certs = new FirstStartCertificates(['st', 'ar']);
    await Promise.all([certs.ensure(state.hosts.ar!, state, log), certs.ensure(state.hosts.st!, state, log)]);
    const [ar, st] = [state.hosts.ar!.wire!.tls, state.hosts.st!.wire!.tls];
    for (const t of [ar, st]) {
      expect((statSync(t.key).mode & 0o777).toString(8)).toBe('600');
      expect(verify(t.ca, t.cert)).toContain(': OK');
    }
    expect(verify(ar.ca, st.cert)).toContain(': OK'); // each trusts the other's certificate
    const caKeys = [ar, st].filter((t) => { try { return statSync(join(t.ca, '..', 'ca.key')).isFile(); } catch { return false; } });
    expect(caKeys).toHaveLength(1);
  });

  it('makes nothing for a host served alone, for one with certificates of its own, or where a file is there already', async () => {
    const alone = await tree();
    await new FirstStartCertificates(['ar']).ensure(alone.state.hosts.ar!, alone.state, log);
    expect(() => statSync(alone.state.hosts.ar!.wire!.tls.key)).toThrow();

    const named = await tree('tls: {ca: /nonexistent/ca.crt, cert: /nonexistent/ar.crt, key: /nonexistent/ar.key}\n');
    await new FirstStartCertificates(['st', 'ar']).ensure(named.state.hosts.ar!, named.state, log);
    expect(() => statSync('/nonexistent/ar.key')).toThrow();

    const partial = await tree();
    const t = partial.state.hosts.ar!.wire!.tls;
    mkdirSync(join(t.ca, '..'), { recursive: true });
    writeFileSync(t.ca, 'an operator\'s CA\n');
    await new FirstStartCertificates(['st', 'ar']).ensure(partial.state.hosts.ar!, partial.state, log);
    expect(() => statSync(t.key)).toThrow();
  });

  it('tells a host without certificates at the default paths how to get them, and says nothing of paths an operator named', async () => {
    const { state } = await tree();
    expect(missingCertificatesHint(state.hosts.ar!)).toMatch(/^host ar has no certificate in .*data\/ar\/tls: make the fleet's CA with "walbctl pki init DIR".*"walbctl daemon --host ar --host PEER"/);
    const named = await tree('tls: {ca: /etc/walbctl/ca.crt, cert: /etc/walbctl/ar.crt, key: /etc/walbctl/ar.key}\n');
    expect(missingCertificatesHint(named.state.hosts.ar!)).toBeNull();
  });
});

