/**
 * Brings a walb-proxy's volume to the tree: the archive destinations are the volume's primary archives
 * (at each archive host's `archive.listen`), forwarding started while there is one. Facts of
 * walb-proxy 1.0.19 this follows (observed against the real server): `archive-info add|delete` are
 * refused while the volume is Started (so it is stopped around a change and started again); deleting
 * the last destination returns the volume to Clear (so additions come before deletions).
 * Not yet: a destination whose address changed under the same name is not re-added.
 */
import type { ObservedProxy } from '../../../common/observed.js';
import type { DesiredState, DesiredVolume } from '../../model/desired.js';
import { walbServer } from './index.js';
import { observeProxy } from './proxy.js';
import { walbc, type WalbcOptions, type WalbServer } from './walbc.js';

export interface ProxyDestination {
  name: string;
  /** `HOST:PORT` (an IPv6 address in brackets). */
  address: string;
}

/** The destinations a volume's proxies forward to: its primary archives, at their `archive.listen`. */
export function proxyDestinations(desired: DesiredState, volume: DesiredVolume): ProxyDestination[] {
  return volume.archives.filter((a) => a.primary).map((a) => {
    const s = walbServer(desired.hosts[a.host], 'archive');
    return { name: a.host, address: s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}` };
  });
}

/** The walbc commands (after the server arguments) that take the proxy from `observed` to `want`. Pure. */
export function proxyCommands(vol: string, observed: ObservedProxy | undefined, want: ProxyDestination[]): string[][] {
  const have = observed?.archives ?? [];
  const add = want.filter((d) => !have.includes(d.name));
  const remove = have.filter((name) => !want.some((d) => d.name === name));
  const started = observed?.state === 'Started';
  const commands: string[][] = [];
  if (started && (add.length > 0 || remove.length > 0)) commands.push(['stop', vol]);
  for (const d of add) commands.push(['archive-info', 'add', vol, d.name, d.address]);
  for (const name of remove) commands.push(['archive-info', 'delete', vol, name]);
  const stoppedNow = !started || commands.length > 0;
  if (want.length > 0 && stoppedNow) commands.push(['start', vol]);
  return commands;
}

/** Observes the proxy's volume, runs the commands that bring it to `want` in order, and returns them. */
export async function reconcileProxy(server: WalbServer, vol: string, want: ProxyDestination[], options?: WalbcOptions): Promise<string[][]> {
  const commands = proxyCommands(vol, await observeProxy(server, vol, options), want);
  for (const c of commands) await walbc(server, c, options);
  return commands;
}
