import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { renderLinkMetrics, type LinkStatus } from '../../../reconciler/fleet/links.js';

const link: LinkStatus = {
  peer: 'ar-1', connected: true, bytesSent: 4096, bytesReceived: 512, transfersDone: 3, transfersFailed: 1, refused: 0,
  transfer: { direction: 'send', kind: 'diff', volume: 'pg', done: 100, total: 400 }, lag: [{ volume: 'pg', gids: 2, seconds: 30 }],
  reachable: true, lastError: null, lastErrorAt: null,
};

describe('renderLinkMetrics', () => {
  const text = renderLinkMetrics([link], new Map([['db-2\tnot-a-sender', 2]]));

  it('exposes every wire metric docs/daemon.md documents', () => {
    const doc = readFileSync(new URL('../../../docs/daemon.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/`(walbctl_wire_[a-z_]+)[{`]/g)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThanOrEqual(9);
    for (const name of documented) expect(text, name).toContain(`# TYPE ${name} `);
  });

  it('labels each link by peer, the transfer by kind and direction, lag by volume and refusals by reason', () => {
    expect(text).toContain('walbctl_wire_bytes_sent_total{peer="ar-1"} 4096');
    expect(text).toContain('walbctl_wire_transfers_total{peer="ar-1",result="failed"} 1');
    expect(text).toContain('walbctl_wire_transfer_progress_bytes{peer="ar-1",kind="diff",direction="send"} 100');
    expect(text).toContain('walbctl_wire_lag_gids{peer="ar-1",volume="pg"} 2');
    expect(text).toContain('walbctl_wire_refusals_total{peer="db-2",reason="not-a-sender"} 2');
  });
});
