/**
 * The daemon's status address, `daemon.listen` in the host file: a loopback address and a port. A
 * non-loopback address is refused — status and metrics are for this machine (scrape it through a
 * local agent or a reverse proxy).
 */
import { isIP } from 'node:net';

import { InputError } from '../../common/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListen(value: string, where = 'daemon.listen'): ListenAddress {
  const m = value.match(/^\[([^\]]+)\]:(\d+)$/) ?? value.match(/^([^:]+):(\d+)$/);
  if (!m) throw new InputError(`"${value}" is not HOST:PORT`, where);
  const host = m[1];
  const port = Number(m[2]);
  if (port > 65535) throw new InputError(`port ${port} is out of range`, where);
  const loopback = host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
  if (!loopback) throw new InputError(`"${host}" is not a loopback address (use 127.0.0.1 or ::1)`, where);
  return { host, port };
}

/** The base URL to reach a daemon listening on `value`. */
export function statusUrl(value: string): string {
  const { host, port } = parseListen(value);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
