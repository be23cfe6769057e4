/**
 * A peer's identity is the dNSName in its certificate's subjectAltName (the first one; a host
 * certificate names one host). The CN is not used: SANs are what TLS name checks use.
 */
import type { TLSSocket } from 'node:tls';

/** The DNS names of a certificate's subjectAltName string ("DNS:a, IP Address:1.2.3.4"). */
export function sanDnsNames(subjectaltname: string | undefined): string[] {
  if (!subjectaltname) return [];
  return subjectaltname
    .split(/,\s*/)
    .filter((p) => p.startsWith('DNS:'))
    .map((p) => p.slice(4));
}

/** The authenticated host name of the peer, or null when it presented no valid certificate. */
export function peerHostOf(socket: TLSSocket): string | null {
  if (!socket.authorized) return null;
  return sanDnsNames(socket.getPeerCertificate().subjectaltname)[0] ?? null;
}
