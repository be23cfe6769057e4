/**
 * The control socket of a serving wdev (`control.sock`): one line in, one JSON line out.
 * Commands: status, sync (flush the log first), checkpoint, set-oldest LSID, reset, stop, and
 * extract FROM TO MAX-BYTES FRAME-ONLY(0|1) PATH (log-position.ts: a shipping batch, as
 * `walbctl-wdev extract` writes it, with its JSON).
 */
import { connect } from 'node:net';

import { WdevError } from './errors.js';

export interface WdevStatusJson {
  serving: boolean;
  name: string;
  uuid: string;
  salt: number;
  physicalBs: number;
  sizeBytes: number;
  oldestLsid: number;
  writtenLsid: number;
  permanentLsid: number;
  latestLsid: number;
  capacityPb: number;
  usagePb: number;
  writes: number;
  discards: number;
  packs: number;
  flushes: number;
  logSyncs: number;
  overflow: boolean;
  /** Why, while overflowed: ring-full, log-write-failed, host-restarted, log-repaired, log-reformatted, unknown. */
  overflowReason: string | null;
}

/** Sends one command; resolves to the parsed reply, or null when nothing listens on the socket. */
export function controlRequest<T = WdevStatusJson>(socket: string, command: string, opts: { timeoutMs?: number } = {}): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let data = '';
    const timer = setTimeout(() => {
      c.destroy();
      reject(new WdevError('timeout', `${socket}: no answer to "${command}" within ${opts.timeoutMs ?? 30_000} ms`, { retryable: true }));
    }, opts.timeoutMs ?? 30_000);
    c.on('connect', () => c.write(command + '\n'));
    c.on('data', (d) => (data += d.toString('utf8')));
    c.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(null);
      else reject(error);
    });
    c.on('close', () => {
      clearTimeout(timer);
      if (!data) return resolve(null);
      const reply = JSON.parse(data.trim()) as T & { error?: string; code?: string };
      if (reply.error) reject(new WdevError(reply.code ?? 'failed', reply.error));
      else resolve(reply);
    });
  });
}
