/**
 * The storage's choice of proxy (ProxyFailover) and its shipping loop's backoff (Shipper): the
 * order in which proxies are asked, and when a down one is asked again. The sends here are plain
 * functions recording whom they were given to — what the policy decides, not the wire (which
 * test/native/proxy/ship-wire.test.ts drives with real proxies).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { BatchMeta } from '../../../native/lib/proxy/admit.js';
import { ProxyFailover, type ProxyPeer } from '../../../native/lib/wdev/proxy-failover.js';
import { Shipper } from '../../../native/lib/wdev/shipper.js';
import type { BatchWlog } from '../../../native/lib/wdev/ship-log.js';

const peer = (host: string): ProxyPeer => ({ host, address: '127.0.0.1', port: 1 });
const meta = { volume: 'pg' } as BatchMeta;
const wlog = {} as BatchWlog;
const refusal = (what: string) => Object.assign(new Error(`refused: ${what}`), { reject: what, policy: 'retry' });

/** A failover whose sends follow `answers` (host → results in turn: 'ok' or a refusal). */
function scripted(hosts: string[], answers: Record<string, string[]>, probe: (p: ProxyPeer) => Promise<unknown> = async () => ({})) {
  const asked: string[] = [];
  const fo = new ProxyFailover(hosts.map(peer), {
    send: async (p) => {
      asked.push(p.host);
      const a = answers[p.host]!.shift() ?? 'ok';
      if (a !== 'ok') throw refusal(a);
    },
    probe,
  });
  return { fo, asked };
}

describe('the proxy failover', () => {
  it('asks a lone proxy that refused once again at the next batch, without waiting for a heartbeat', async () => {
    const { fo, asked } = scripted(['px-1'], { 'px-1': ['stopped', 'ok'] });
    await expect(fo.sender()(meta, wlog)).rejects.toThrow(/stopped/);
    expect(fo.health[0]!.up).toBe(false);
    await fo.sender()(meta, wlog);
    expect(asked).toEqual(['px-1', 'px-1']);
    expect(fo.health[0]).toMatchObject({ up: true, lastError: null, batches: 1 });
  });

  it('skips a down proxy while another one takes the batches, and asks it, in order, only when every proxy up failed', async () => {
    const { fo, asked } = scripted(['px-1', 'px-2', 'px-3'], { 'px-1': ['busy', 'ok'], 'px-2': ['ok', 'no-space', 'ok'], 'px-3': ['stopped'] });
    await fo.sender()(meta, wlog); // px-1 busy → px-2 takes it
    expect(asked.splice(0)).toEqual(['px-1', 'px-2']);
    await fo.sender()(meta, wlog); // px-2 (up) full → px-3 (up) stopped → px-1 (down) takes it
    expect(asked.splice(0)).toEqual(['px-2', 'px-3', 'px-1']);
    await fo.sender()(meta, wlog); // px-1 is up again and first
    expect(asked.splice(0)).toEqual(['px-1']);
    expect(fo.health.map((h) => h.batches)).toEqual([2, 1, 0]);
  });

  it('counts a heartbeat that finds a down proxy answering as a recovery, and one that finds it up or still silent as none', async () => {
    let answering = false;
    const { fo } = scripted(['px-1'], { 'px-1': ['stopped'] }, async () => {
      if (!answering) throw new Error('connection refused');
    });
    await fo.heartbeat();
    expect(fo.recoveries).toBe(0);
    await expect(fo.sender()(meta, wlog)).rejects.toThrow(/stopped/);
    await fo.heartbeat();
    expect(fo.recoveries).toBe(0);
    answering = true;
    await fo.heartbeat();
    await fo.heartbeat();
    expect(fo.recoveries).toBe(1);
  });
});

describe('the shipping loop', () => {
  it('backs off after a failed batch, and tries again at once when a heartbeat brings a proxy back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-shipper-'));
    try {
      let answering = false;
      const { fo } = scripted(['px-1'], { 'px-1': [] }, async () => {
        if (!answering) throw new Error('connection refused');
      });
      const errors: string[] = [];
      // No volume in `dir`: every batch fails before it reaches a proxy, which is all the backoff sees.
      const s = new Shipper(dir, 'pg', fo, { firstBackoffMs: 60_000, maxBackoffMs: 120_000, onError: (m) => errors.push(m) });
      expect(await s.once()).toBeNull();
      expect(errors).toHaveLength(1);
      expect(s.state.nextTryAt).toBeGreaterThan(Date.now() + 50_000);
      expect(await s.once()).toBeNull(); // within the backoff: not tried
      await fo.heartbeat(); // px-1 still silent: no recovery
      expect(await s.once()).toBeNull();
      expect(errors).toHaveLength(1);
      fo.health[0]!.up = false;
      answering = true;
      await fo.heartbeat();
      expect(await s.once()).toBeNull(); // tried (and failed again, on the missing volume)
      expect(errors).toHaveLength(2);
      expect(await s.once()).toBeNull(); // a new backoff, and no new recovery
      expect(errors).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
