/**
 * Brings a walb-proxy's volume to the tree at once (observe, then the walbc commands in order): what
 * `walbctl apply` does as plan actions (reconciler/policy/walb-proxy.ts has the rules and the facts of
 * walb-proxy they follow), for a caller that needs no plan.
 */
import { proxyCommands, type ProxyDestination } from '../../policy/walb-proxy.js';
import { observeProxy } from './proxy.js';
import { walbc, type WalbcOptions, type WalbServer } from './walbc.js';

export { proxyCommands, proxyDestinations, type ProxyDestination } from '../../policy/walb-proxy.js';

/** Observes the proxy's volume, runs the commands that bring it to `want` in order, and returns them. */
export async function reconcileProxy(server: WalbServer, vol: string, want: ProxyDestination[], options?: WalbcOptions): Promise<string[][]> {
  const commands = proxyCommands(vol, await observeProxy(server, vol, options), want);
  for (const c of commands) await walbc(server, c, options);
  return commands;
}
