/** Where the walb driver finds WalB's servers: a host file's `storage.listen`, `proxy.listen`, `archive.listen`. */
import type { DesiredHost } from '../../model/desired.js';
import type { DriverRole } from '../driver.js';
import { DriverUnavailableError } from '../errors.js';
import type { WalbServer } from './walbc.js';

function parseAddress(value: string, what: string): WalbServer {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(value);
  if (!m) throw new DriverUnavailableError('walb', `${what} "${value}" is not HOST:PORT`);
  return { address: m[1]!, port: Number(m[2]) };
}

/** The WalB server of a host's role, from its host file: `storage.listen`, `proxy.listen` or `archive.listen`. */
export function walbServer(host: DesiredHost, role: DriverRole): WalbServer {
  const listen = host.roleSettings?.[role]?.listen;
  if (!listen) throw new DriverUnavailableError('walb', `host ${host.name} has no ${role}.listen for its walb-${role} server`);
  return parseAddress(listen, `host ${host.name} ${role}.listen`);
}
