/**
 * `walbctl status` on a proxy host: the SPOOL table — per volume and archive the diffs and bytes
 * queued, the oldest queued gid and its age, forwarding (started, stopped, halted, leaving) and the
 * last error; above it the spool's use against its limit, and when full which volumes fill it.
 */
import type { ObservedSpool } from '../../common/observed.js';
import type { DaemonStatusView } from '../daemon/status-view.js';
import { describeFillers, mib } from '../policy/spool.js';

export function spoolLines(s: DaemonStatusView): string[] {
  const spools: Record<string, ObservedSpool> = {};
  for (const [name, v] of Object.entries(s.volumes).sort(([a], [b]) => a.localeCompare(b))) if (v.spool) spools[name] = v.spool;
  const first = Object.values(spools)[0];
  if (!first) return [];
  const rows = [['SPOOL', 'ARCHIVE', 'STATE', 'DIFFS', 'BYTES', 'OLDEST GID', 'AGE', 'FORWARDING', 'LAST ERROR']];
  for (const [name, x] of Object.entries(spools)) {
    if (x.queues.length === 0) rows.push([name, '-', x.state, '0', '0', '-', '-', '-', '']);
    for (const q of x.queues) {
      rows.push([name, q.archive, x.state, String(q.diffs), String(q.bytes), q.oldestGid === null ? '-' : String(q.oldestGid), q.oldestAgeSeconds === null ? '-' : `${q.oldestAgeSeconds} s`, q.forwarding, q.lastError ?? '']);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const pct = Math.round((first.spoolBytes * 100) / first.limitBytes);
  const head = `Spool ${mib(first.spoolBytes)} of ${mib(first.limitBytes)} (${pct} %)${first.full ? `: FULL, batches refused; filled by ${describeFillers(spools)}` : ''}`;
  return [head, ...rows.map((row) => '  ' + row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd())];
}
