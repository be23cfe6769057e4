/**
 * A walbctl proxy's spool in words (pure): which volumes fill it, and the plan's warning when it is
 * full — batches are then refused with no-space and the logs stay on the storage hosts.
 */
import type { ObservedSpool, ObservedSpoolQueue } from '../../common/observed.js';

/** The warning a proxy host's plan carries when its spool is full, naming who fills it; null otherwise. */
export function spoolFullWarning(spools: Record<string, ObservedSpool>): string | null {
  const any = Object.values(spools)[0];
  if (!any?.full) return null;
  const pct = Math.round((any.spoolBytes * 100) / any.limitBytes);
  return (
    `the proxy's spool is full (${mib(any.spoolBytes)} of its ${mib(any.limitBytes)} limit, ${pct} %): new batches are refused (no-space) ` +
    `and the logs stay on the storage hosts until the queues drain; it is filled by ${describeFillers(spools) || 'nothing queued'}`
  );
}

/** Which volumes fill a spool, largest first: `v 3.5 MiB (ar-1 40 diffs, oldest gid 12, 35 s)`. */
export function describeFillers(spools: Record<string, ObservedSpool>): string {
  return Object.entries(spools)
    .filter(([, s]) => s.bytes > 0)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([name, s]) => `${name} ${mib(s.bytes)} (${s.queues.filter((q) => q.diffs > 0).map(describeQueue).join('; ') || 'nothing queued'})`)
    .join(', ');
}

export function describeQueue(q: ObservedSpoolQueue): string {
  const parts = [`${q.archive} ${q.diffs} diff${q.diffs === 1 ? '' : 's'} ${mib(q.bytes)}`];
  if (q.oldestGid !== null) parts.push(`oldest gid ${q.oldestGid}${q.oldestAgeSeconds === null ? '' : `, ${q.oldestAgeSeconds} s`}`);
  if (q.forwarding !== 'started') parts.push(q.forwarding);
  if (q.lastError) parts.push(`last error: ${q.lastError}`);
  return parts.join(', ');
}

export function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}
