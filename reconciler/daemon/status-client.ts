/**
 * Reads a daemon's status: from the running daemon over its loopback address, or — when none
 * answers — the status.json it last wrote in the host's data directory.
 */
import { readFile } from 'node:fs/promises';

import { statePaths } from '../apply/state-paths.js';
import { withAges, type DaemonStatusView } from './status-view.js';
import type { DaemonStatus } from './status-model.js';

export type StatusReading =
  | { host: string; source: 'daemon'; url: string; status: DaemonStatusView }
  | { host: string; source: 'file'; file: string; url: string; error: string; status: DaemonStatusView }
  | { host: string; source: 'none'; url: string; error: string };

/** Where to ask: the host's name, its status server's base URL, its data directory when known. */
export interface StatusTarget {
  name: string;
  baseUrl: string;
  dataDir: string | null;
}

export async function readDaemonStatus(host: StatusTarget, options: { timeoutMs?: number } = {}): Promise<StatusReading> {
  const url = `${host.baseUrl}/status`;
  let error: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 3000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const status = (await res.json()) as DaemonStatusView;
    if (status.host !== host.name) throw new Error(`the daemon there is for host ${status.host}`);
    return { host: host.name, source: 'daemon', url, status };
  } catch (e) {
    const cause = (e as Error & { cause?: { code?: string } }).cause;
    error = `no daemon answers on ${url}${cause?.code ? ` (${cause.code})` : `: ${(e as Error).message}`}`;
  }
  if (host.dataDir === null) return { host: host.name, source: 'none', url, error };
  const file = statePaths(host.dataDir).status;
  try {
    const status = JSON.parse(await readFile(file, 'utf8')) as DaemonStatus;
    return { host: host.name, source: 'file', file, url, error, status: withAges(status, Date.now()) };
  } catch {
    return { host: host.name, source: 'none', url, error };
  }
}
