/**
 * A walb-proxy's volume brought to the tree, as plan steps: its archive destinations are the volume's
 * primary archives (proxyDestinations says at which address), and it forwards (Started) while it has
 * one. Planned only on a `driver: walb` host with the proxy role (a walbctl proxy applies the tree to
 * its spool in the daemon). Facts of walb-proxy 1.0.19 this follows, observed against the real server
 * (test/reconciler/drivers/walb/): `archive-info add|delete` are refused while the volume is Started,
 * so it is stopped around a change and started again; deleting the last destination returns the
 * volume to Clear, so additions come before deletions. Each step carries the walbc command it runs
 * (`walbc`, after the server arguments), which `walbctl plan` prints.
 * An archive walb-proxy gave up on (its send error, `sendErrors`) is tried again by a stop and a start.
 * Not yet: a destination whose address changed under the same name is not re-added.
 */
import type { ObservedProxy } from '../../common/observed.js';
import { InputError } from '../../common/errors.js';
import type { DesiredState, DesiredVolume } from '../model/desired.js';
import type { Step } from './step.js';

export interface ProxyDestination {
  name: string;
  /** `HOST:PORT` (an IPv6 address in brackets). */
  address: string;
}

/**
 * The destinations a volume's proxies forward to: its primary archives — a WalB archive (`driver:
 * walb`) at its `archive.listen` (walb-archive's port), a walbctl archive at its `archive.walbListen`
 * (where it speaks WalB's wdiff-transfer; its `archive.listen` is walbctl's TLS wire).
 */
export function proxyDestinations(desired: DesiredState, volume: DesiredVolume): ProxyDestination[] {
  return volume.archives.filter((a) => a.primary).map((a) => {
    const host = desired.hosts[a.host];
    const key = host?.driver === 'walb' ? 'listen' : 'walbListen';
    const listen = host?.roleSettings?.archive?.[key];
    const m = listen ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(listen) : null;
    if (!m) throw new InputError(`the proxy cannot forward ${volume.name} to ${a.host}: host ${a.host} has ${listen ? `archive.${key} "${listen}", not HOST:PORT` : `no archive.${key}${key === 'walbListen' ? " (a walbctl archive takes WalB's wdiff-transfer there)" : ''}`}`);
    return { name: a.host, address: m[1]!.includes(':') ? `[${m[1]}]:${m[2]}` : `${m[1]}:${m[2]}` };
  });
}

/**
 * The walbc commands (after the server arguments) that take the proxy from `observed` to `want`. Pure.
 * `keep`: destinations left as they are, neither added nor removed — the receivers of the volume's
 * sync pairs, which the sending archive's `synchronize` adds once they hold the volume (as WalB's
 * synchronize does) and which the proxy then forwards to as well.
 */
export function proxyCommands(vol: string, observed: ObservedProxy | undefined, want: readonly ProxyDestination[], keep: readonly string[] = []): string[][] {
  const have = observed?.archives ?? [];
  const add = want.filter((d) => !have.includes(d.name));
  const remove = have.filter((name) => !want.some((d) => d.name === name) && !keep.includes(name));
  const started = observed?.state === 'Started';
  const commands: string[][] = [];
  if (started && (add.length > 0 || remove.length > 0)) commands.push(['stop', vol]);
  for (const d of add) commands.push(['archive-info', 'add', vol, d.name, d.address]);
  for (const name of remove) commands.push(['archive-info', 'delete', vol, name]);
  // walb-proxy tries an archive it gave up on again only after a stop and a start.
  const retry = started && commands.length === 0 && want.some((d) => observed?.sendErrors?.includes(d.name));
  if (retry) commands.push(['stop', vol]);
  const stoppedNow = !started || commands.length > 0;
  if (want.length > 0 && stoppedNow) commands.push(['start', vol]);
  return commands;
}

/** The plan steps of proxyCommands: stop/start with role proxy, add-destination, delete-destination;
 *  `why` says why deletions happen when the tree no longer has this host forward the volume at all. */
export function walbProxySteps(vol: string, observed: ObservedProxy | undefined, want: readonly ProxyDestination[], why?: string, keep: readonly string[] = []): Step[] {
  const wanted = want.map((d) => d.name).join(', ') || 'none';
  const commands = proxyCommands(vol, observed, want, keep);
  // Only a stop and a start: walb-proxy gave up forwarding to an archive and is told to try again.
  const retry = commands.length === 2 && commands[0]![0] === 'stop' && commands[1]![0] === 'start';
  const gaveUp = (observed?.sendErrors ?? []).join(', ');
  return commands.map((c): Step => {
    const walbc = c.join(' ');
    if (c[0] === 'stop') {
      return { kind: 'stop', key: 'proxy', params: { role: 'proxy', walbc }, reason: retry ? `walb-proxy gave up forwarding to ${gaveUp} (a send error: archive-not-found, smaller-lv-size or its retry timeout); a stop and a start make it try again` : "walb-proxy refuses to change a Started volume's archive destinations" };
    }
    if (c[0] === 'start') {
      return { kind: 'start', key: 'proxy', params: { role: 'proxy', walbc }, reason: retry ? `forwarding to ${gaveUp} is tried again` : observed?.state === 'Started' ? 'forwarding resumes after the change of destinations' : `walb-proxy holds the volume ${observed?.state ?? 'Clear'} and the tree gives it archives to forward to` };
    }
    if (c[1] === 'add') {
      return { kind: 'add-destination', key: c[3], params: { role: 'proxy', to: c[3]!, address: c[4]!, walbc }, reason: `${c[3]} is a primary archive of the volume (the tree's archives: ${wanted}) and walb-proxy does not forward to it` };
    }
    const last = want.length === 0 && (observed?.archives.length ?? 0) > 0;
    return {
      kind: 'delete-destination', key: c[3], params: { role: 'proxy', to: c[3]!, walbc },
      reason: `walb-proxy forwards to ${c[3]}, ${why ?? `which is not a primary archive of the volume here (the tree's: ${wanted})`}; the diffs it still holds for ${c[3]} are dropped${last ? ', and with its last destination walb-proxy clears the volume' : ''}`,
    };
  });
}
