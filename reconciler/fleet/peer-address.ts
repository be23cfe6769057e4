/**
 * Where a host's wire listens, as its peers dial it: the archive role's listen address (else the
 * proxy's), with a wildcard address (0.0.0.0, ::) replaced by the host's `address`.
 */
import { InputError } from '../../common/errors.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';

export interface WireAddress {
  address: string;
  port: number;
}

export function parseHostPort(value: string, where: string): WireAddress {
  const m = value.match(/^\[([^\]]+)\]:(\d+)$/) ?? value.match(/^([^:]+):(\d+)$/);
  if (!m || Number(m[2]) > 65535) throw new InputError(`"${value}" is not HOST:PORT`, where);
  return { address: m[1]!, port: Number(m[2]) };
}

/** The distinct addresses `host` listens on for the wire (one per role with a listener). */
export function wireListens(host: DesiredHost): WireAddress[] {
  const out = new Map<string, WireAddress>();
  for (const [role, listen] of [['archive', host.roleSettings?.archive?.listen], ['proxy', host.roleSettings?.proxy?.listen]] as const) {
    if (!listen) continue;
    const a = parseHostPort(listen, `hosts/${host.name}.yaml: ${role}.listen`);
    out.set(`${a.address}:${a.port}`, a);
  }
  return [...out.values()];
}

/** The address a peer dials to reach `host`'s wire, or null when it has no archive or proxy role. */
export function dialAddress(host: DesiredHost): WireAddress | null {
  const first = wireListens(host)[0];
  if (!first) return null;
  const wildcard = first.address === '0.0.0.0' || first.address === '::' || first.address === '[::]';
  return { address: wildcard ? host.address : first.address, port: first.port };
}

/** Where a `driver: walb` host's walb-proxy listens (its `proxy.listen`, a wildcard replaced by its address). */
export function walbProxyAddress(host: DesiredHost): WireAddress | null {
  const listen = host.roleSettings?.proxy?.listen;
  if (!listen) return null;
  const a = parseHostPort(listen, `hosts/${host.name}.yaml: proxy.listen`);
  const wildcard = a.address === '0.0.0.0' || a.address === '::';
  return { address: wildcard ? host.address : a.address, port: a.port };
}

/** Does the tree give `host` a peer on the wire (a volume it shares with another host)? */
export function needsWire(host: string, desired: DesiredState): boolean {
  for (const h of Object.values(desired.hosts)) {
    for (const v of Object.values(h.volumes)) {
      const hosts = new Set([v.host, ...v.proxies, ...v.archives.map((a) => a.host), ...v.replication.flatMap((p) => [p.from, p.to])]);
      if (hosts.has(host) && hosts.size > 1) return true;
    }
  }
  return false;
}
