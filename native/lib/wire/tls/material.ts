/**
 * A host's TLS material from PEM paths {ca, cert, key}: TLS 1.3 only, the peer must present a
 * certificate the CA signed. Files are re-read when they change (size or mtime), so a rotated
 * certificate is used by the next connection without restarting anything.
 */
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';

/**
 * TLS 1.3 suites in the order this side prefers: AES-128-GCM first (10 AES rounds to AES-256's 14,
 * a quarter less CPU per byte with AES-NI, and still the suite TLS 1.3 requires everyone to have),
 * then OpenSSL's defaults. The server's order decides.
 */
export const TLS13_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

import { InputError } from '../../../../common/errors.js';

export interface TlsPaths {
  ca: string;
  cert: string;
  key: string;
}

export class TlsMaterial {
  private stamp = '';
  private options!: SecureContextOptions;
  private context!: SecureContext;
  /** How many times the files were (re)loaded. */
  loads = 0;

  constructor(readonly paths: TlsPaths) {
    this.refresh();
  }

  private currentStamp(): string {
    return (['ca', 'cert', 'key'] as const)
      .map((k) => {
        try {
          const s = statSync(this.paths[k]);
          return `${s.size}:${s.mtimeMs}:${s.ino}`;
        } catch (e) {
          throw new InputError(`cannot read the TLS ${k}: ${(e as Error).message}`, this.paths[k]);
        }
      })
      .join('|');
  }

  /** Reloads the files when they changed; returns true when it did. */
  refresh(): boolean {
    const stamp = this.currentStamp();
    if (stamp === this.stamp) return false;
    const read = (k: keyof TlsPaths): Buffer => {
      try {
        return readFileSync(this.paths[k]);
      } catch (e) {
        throw new InputError(`cannot read the TLS ${k}: ${(e as Error).message}`, this.paths[k]);
      }
    };
    const options: SecureContextOptions = { ca: read('ca'), cert: read('cert'), key: read('key'), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: TLS13_SUITES };
    let context: SecureContext;
    try {
      context = createSecureContext(options);
    } catch (e) {
      throw new InputError(`the TLS certificate and key do not load: ${(e as Error).message}`, this.paths.cert);
    }
    this.options = options;
    this.context = context;
    this.stamp = stamp;
    this.loads++;
    return true;
  }

  /** Options for tls.createServer / setSecureContext / tls.connect (current files). */
  get secureOptions(): SecureContextOptions {
    this.refresh();
    return this.options;
  }

  get secureContext(): SecureContext {
    this.refresh();
    return this.context;
  }
}
