/** The hello both sides send first: protocol, version range, host, codecs, limits. */
import { MIN_PROTOCOL_VERSION, PROTOCOL, PROTOCOL_VERSION, WIRE_CODECS, type Hello } from './messages.js';

export function makeHello(host: string, limits: Hello['limits'], codecs: readonly string[] = WIRE_CODECS, version = PROTOCOL_VERSION): Hello {
  return { t: 'hello', proto: PROTOCOL, version, minVersion: MIN_PROTOCOL_VERSION, host, codecs: [...codecs], limits };
}

/** Why the peer's hello cannot be spoken to, or null. */
export function checkHello(h: Hello): string | null {
  if (h.proto !== PROTOCOL) return `protocol "${String(h.proto)}" is not ${PROTOCOL}`;
  if (typeof h.version !== 'number' || typeof h.minVersion !== 'number') return 'hello has no version';
  if (h.version < MIN_PROTOCOL_VERSION) return `peer speaks version ${h.version}, too old: this side needs at least ${MIN_PROTOCOL_VERSION}`;
  if (h.minVersion > PROTOCOL_VERSION) return `peer needs version ${h.minVersion} or newer, too new: this side speaks up to ${PROTOCOL_VERSION}`;
  if (typeof h.host !== 'string' || !h.host) return 'hello names no host';
  if (!Array.isArray(h.codecs)) return 'hello lists no codecs';
  return null;
}
