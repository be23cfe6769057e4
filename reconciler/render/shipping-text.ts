/**
 * `walbctl status`: the SHIPPING table — per wdev volume whose log goes to proxies, the lsids
 * written, shipped (a proxy holds them durably), converted (by a proxy) and archived (by every
 * archive, each named with its lsid when they differ), and the recovery point.
 */
import type { DaemonStatusView } from '../daemon/status-view.js';

function seconds(s: number | null): string {
  if (s === null) return 'unknown';
  if (s === 0) return '0 s (all archived)';
  return s < 120 ? `${s.toFixed(1)} s` : `${Math.round(s / 60)} min`;
}

export function shippingLines(s: DaemonStatusView): string[] {
  const rows = [['SHIPPING', 'WRITTEN', 'SHIPPED', 'CONVERTED', 'ARCHIVED', 'RECOVERY POINT']];
  for (const [name, v] of Object.entries(s.volumes).sort(([a], [b]) => a.localeCompare(b))) {
    const x = v.shipping;
    if (!x) continue;
    const per = Object.entries(x.archives).sort(([a], [b]) => a.localeCompare(b));
    const differ = new Set(per.map(([, a]) => a.lsid)).size > 1;
    const archived = x.archivedLsid === null ? '-' : `${x.archivedLsid}${differ ? ` (${per.map(([h, a]) => `${h} ${a.lsid}`).join(', ')})` : ''}`;
    rows.push([name, String(x.writtenLsid), String(x.shippedLsid), x.convertedLsid === null ? '-' : String(x.convertedLsid), archived, seconds(x.recoveryPointSeconds)]);
  }
  if (rows.length === 1) return [];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => '  ' + row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}
