/**
 * Time in the planner: milliseconds since the epoch, UTC. Observed state carries ISO 8601 strings;
 * policies take numbers so they stay plain arithmetic.
 */
export function toMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 time: "${iso}"`);
  return ms;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `3 h 20 min`, for reasons people read. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: [number, string][] = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
  const parts: string[] = [];
  let rest = s;
  for (const [size, name] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    }
  }
  return parts.length ? parts.join(' ') : '0 s';
}
