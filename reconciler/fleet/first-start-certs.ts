/**
 * Certificates made on first start for the hosts one daemon process serves (the embedded default:
 * `daemon --host local --host backup`). Such hosts trust each other through a CA this process makes,
 * so only hosts that use the default paths (`tls/` in their data directory, no `tls:` in the host
 * file) and have none of the files yet get one: an operator's certificates are never replaced, and a
 * host served alone gets none (a CA its peers do not know would be of no use to it). The CA's key
 * stays in the data directory of the first host that needed it (mode 0600, directory 0700); every
 * other host gets a copy of the CA's certificate beside its own key and certificate.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from 'pino';

import { caFiles, hostFiles, initCa, issueHost } from '../../native/lib/wire/index.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The `tls/` directory of `host`'s data directory when its host file names no certificates. */
export function defaultTlsDir(host: DesiredHost): string | null {
  const w = host.wire;
  if (!w || w.insecure) return null;
  const dir = join(host.dataDir, 'tls');
  const d = hostFiles(dir, host.name);
  return w.tls.ca === d.ca && w.tls.cert === d.cert && w.tls.key === d.key ? dir : null;
}

/** What to do when `host`'s certificates are missing at the default paths (null: they are not the defaults). */
export function missingCertificatesHint(host: DesiredHost): string | null {
  const dir = defaultTlsDir(host);
  if (!dir) return null;
  return `host ${host.name} has no certificate in ${dir}: make the fleet's CA with "walbctl pki init DIR" and each host's key and certificate with "walbctl pki issue HOST --dir DIR" (then copy ca.crt, HOST.crt and HOST.key there, or name them under tls: in the host file), or serve hosts of one machine from one process ("walbctl daemon --host ${host.name} --host PEER"), which makes them on first start`;
}

export class FirstStartCertificates {
  /** Requests run one after the other: two hosts starting together must not make two CAs. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Where this process's CA is, once made or found. */
  private caDir: string | null = null;

  /** `served`: the hosts of this process, in the order given on the command line. */
  constructor(private readonly served: string[]) {}

  /** Makes `host`'s certificates when it is one of several served hosts and has none; says what it made. */
  ensure(host: DesiredHost, desired: DesiredState, log: Logger): Promise<void> {
    const run = this.queue.then(() => this.make(host, desired, log));
    this.queue = run.catch(() => {});
    return run;
  }

  private async make(host: DesiredHost, desired: DesiredState, log: Logger): Promise<void> {
    if (this.served.length < 2 || !this.served.includes(host.name)) return;
    const dir = defaultTlsDir(host);
    if (!dir) return;
    const own = hostFiles(dir, host.name);
    const present = await Promise.all([own.ca, own.cert, own.key].map(exists));
    if (present.some(Boolean)) return; // some or all there: the operator's (or an earlier start's) files
    const caDir = (this.caDir ??= (await this.findCa(desired)) ?? dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!(await exists(caFiles(caDir).key))) {
      await initCa(caDir, { name: `walbctl CA of ${this.served.join(', ')}` });
      log.info({ dir: caDir }, `made a CA for the hosts this daemon serves (${this.served.join(', ')}) in ${caDir} (ca.key mode 0600)`);
    }
    await issueHost(dir, host.name, { caDir });
    if (caDir !== dir) await copyFile(caFiles(caDir).cert, own.ca);
    log.info({ dir }, `made host ${host.name}'s certificate and key in ${dir} (key mode 0600), signed by the CA in ${caDir}`);
  }

  /** A CA made earlier in the `tls/` directory of one of the served hosts. */
  private async findCa(desired: DesiredState): Promise<string | null> {
    for (const name of this.served) {
      const h = desired.hosts[name];
      const dir = h ? defaultTlsDir(h) : null;
      if (dir && (await exists(caFiles(dir).key))) return dir;
    }
    return null;
  }
}
