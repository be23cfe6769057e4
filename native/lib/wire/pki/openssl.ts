/**
 * A fleet's certificates, made with the openssl command line (Debian's `openssl`): a CA, and per
 * host a key and a certificate whose subjectAltName is the host's name (its identity on the wire).
 * EC P-256 keys, written mode 0600; certificates 0644. Nothing is overwritten unless asked.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { execa } from 'execa';

import { InputError, StateError } from '../../../../common/errors.js';

const HOST_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i;

export interface CaFiles {
  dir: string;
  key: string;
  cert: string;
}

export interface HostFiles {
  host: string;
  ca: string;
  key: string;
  cert: string;
}

export function caFiles(dir: string): CaFiles {
  return { dir, key: join(dir, 'ca.key'), cert: join(dir, 'ca.crt') };
}

export function hostFiles(dir: string, host: string): HostFiles {
  return { host, ca: join(dir, 'ca.crt'), key: join(dir, `${host}.key`), cert: join(dir, `${host}.crt`) };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function openssl(args: string[]): Promise<void> {
  const r = await execa('openssl', args, { reject: false, stdin: 'ignore' });
  if (r.failed) throw new StateError(`openssl ${args[0] ?? ''} failed: ${String(r.stderr || r.shortMessage).trim().split('\n').slice(-2).join(' ')}`);
}

async function newKey(path: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
  await chmod(path, 0o600);
}

/** Makes a CA (ca.key, ca.crt) in `dir`; refuses when one is there unless `force`. */
export async function initCa(dir: string, opts: { days?: number; name?: string; force?: boolean } = {}): Promise<CaFiles> {
  const f = caFiles(dir);
  if (!opts.force && ((await exists(f.key)) || (await exists(f.cert)))) throw new StateError(`${dir} holds a CA already (ca.key/ca.crt); --force replaces it`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await newKey(f.key);
  await openssl(['req', '-x509', '-new', '-key', f.key, '-subj', `/CN=${opts.name ?? 'walbctl fleet CA'}`, '-days', String(opts.days ?? 3650), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', f.cert]);
  return f;
}

/**
 * Issues a key and certificate for `host`, signed by the CA in `dir`. `days` may be negative (a
 * certificate that has expired already: tests of trust use it).
 */
export async function issueHost(dir: string, host: string, opts: { days?: number; force?: boolean; caDir?: string } = {}): Promise<HostFiles> {
  if (!HOST_NAME.test(host)) throw new InputError(`"${host}" is not a host name (letters, digits, dots and dashes)`, 'HOST');
  const ca = caFiles(opts.caDir ?? dir);
  if (!(await exists(ca.key))) throw new StateError(`no CA in ${ca.dir} (ca.key); run walbctl pki init ${ca.dir} first`);
  const f = { ...hostFiles(dir, host), ca: ca.cert };
  if (!opts.force && (await exists(f.cert))) throw new StateError(`${f.cert} exists; --force replaces it`);
  const work = await mkdtemp(join(tmpdir(), 'walbctl-pki-'));
  try {
    await newKey(f.key);
    const csr = join(work, 'host.csr');
    const ext = join(work, 'ext.cnf');
    await writeFile(ext, `subjectAltName=DNS:${host}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth,clientAuth\n`);
    await openssl(['req', '-new', '-key', f.key, '-subj', `/CN=${host}`, '-out', csr]);
    const serial = `0x${randomBytes(12).toString('hex')}`;
    await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial, '-days', String(opts.days ?? 825), '-extfile', ext, '-out', f.cert]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return f;
}
