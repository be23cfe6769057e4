/**
 * A host's wire links as `walbctl status` prints them, one line per peer:
 *   link ar-1  up, connected  sent 64.0 MiB  received 1.2 KiB  transfers 5 done, 0 failed
 *              sending diff of demo: 40 % (1.6 of 4.0 MiB)  lag demo: 0 gids
 */
import type { LinkStatus } from './links.js';

function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function renderLinks(links: readonly LinkStatus[]): string[] {
  const lines: string[] = [];
  for (const l of links) {
    const state = [l.reachable === null ? null : l.reachable ? 'up' : 'DOWN', l.connected ? 'connected' : 'idle'].filter(Boolean).join(', ');
    lines.push(`  link ${l.peer}  ${state}  sent ${size(l.bytesSent)}  received ${size(l.bytesReceived)}  transfers ${l.transfersDone} done, ${l.transfersFailed} failed${l.refused ? `, ${l.refused} refused` : ''}`);
    const extra: string[] = [];
    if (l.transfer) {
      const t = l.transfer;
      const pct = t.total > 0 ? `${Math.floor((100 * t.done) / t.total)} % (${size(t.done)} of ${size(t.total)})` : size(t.done);
      extra.push(`${t.direction === 'send' ? 'sending' : 'receiving'} ${t.kind}${t.volume ? ` of ${t.volume}` : ''}: ${pct}`);
    }
    for (const g of l.lag) extra.push(`lag ${g.volume}: ${g.gids} gid(s)${g.seconds ? `, ${g.seconds} s` : ''}`);
    if (l.lastError) extra.push(`last error${l.lastErrorAt ? ` at ${l.lastErrorAt}` : ''}: ${l.lastError}`);
    for (const e of extra) lines.push(`      ${e}`);
  }
  return lines;
}
