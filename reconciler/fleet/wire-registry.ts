/**
 * Which wire endpoint a host's actions use: the daemon registers the one it serves with; a command
 * run outside the daemon (`walbctl apply`, `vol full-backup`) gets a client-only one, made once.
 */
import pino, { type Logger } from 'pino';

import type { DesiredHost, DesiredState } from '../model/desired.js';
import { WireEndpoint } from './wire-endpoint.js';

const endpoints = new Map<string, WireEndpoint>();
const desiredOf = new Map<string, DesiredState>();

export function registerEndpoint(host: string, endpoint: WireEndpoint): void {
  endpoints.set(host, endpoint);
}

export function unregisterEndpoint(host: string, endpoint: WireEndpoint): void {
  if (endpoints.get(host) === endpoint) endpoints.delete(host);
}

/** The endpoint for `host`'s outgoing calls; `desired` is what a client-only endpoint authorizes with. */
export async function endpointFor(host: DesiredHost, desired: DesiredState, log?: Logger): Promise<WireEndpoint> {
  desiredOf.set(host.name, desired);
  const known = endpoints.get(host.name);
  if (known) return known;
  const e = await WireEndpoint.start({ host, desired: () => desiredOf.get(host.name)!, log: log ?? pino({ level: 'silent' }), serve: false });
  endpoints.set(host.name, e);
  return e;
}
