/**
 * A walbctl proxy host's plan reads its spool: when the spool is full it warns, naming the volumes
 * that fill it and their queues; a spool with room is no warning. The proxy takes no plan actions.
 */
import { describe, expect, it } from 'vitest';

import type { ObservedSpool } from '../../../common/observed.js';
import { computePlan } from '../../../reconciler/plan/compute.js';
import { desired, observed, volume } from './fixtures.js';

const NOW = new Date('2026-12-05T08:00:00Z');
const MiB = 2 ** 20;

function spool(bytes: number, spoolBytes: number, full: boolean, halted = false): ObservedSpool {
  return {
    state: 'Started', receivedLsid: 800, receivedGid: 12, bytes, spoolBytes, limitBytes: 100 * MiB, full,
    queues: [
      { archive: 'ar-1', diffs: 40, bytes, oldestGid: 3, oldestAgeSeconds: 95, forwarding: halted ? 'halted' : 'started', lastError: halted ? 'not-found: ar-1 holds no such volume' : null },
      { archive: 'ar-2', diffs: 0, bytes: 0, oldestGid: null, oldestAgeSeconds: null, forwarding: 'started', lastError: null },
    ],
  };
}

function plan(full: boolean) {
  const a = volume({ name: 'a', address: 'db-1/a', host: 'db-1', archives: [{ host: 'ar-1', primary: true }, { host: 'ar-2', primary: true }], proxies: ['px-1'] } as never);
  const b = volume({ name: 'b', address: 'db-1/b', host: 'db-1', archives: [{ host: 'ar-1', primary: true }, { host: 'ar-2', primary: true }], proxies: ['px-1'] } as never);
  const o = observed({ a: { name: 'a', spool: spool(91 * MiB, 95 * MiB, full, true) }, b: { name: 'b', spool: spool(4 * MiB, 95 * MiB, full) } }, { host: 'px-1' });
  return computePlan(desired([a, b], { hosts: ['db-1', 'px-1', 'ar-1', 'ar-2'] }), o, NOW).plan;
}

describe("a proxy host's plan and its spool", () => {
  it('warns when the spool is full, naming the volume that fills it first, with its queues', () => {
    const p = plan(true);
    const w = p.diagnostics.filter((d) => d.severity === 'warning' && d.address === 'px-1');
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toBe(
      "the proxy's spool is full (95.0 MiB of its 100.0 MiB limit, 95 %): new batches are refused (no-space) and the logs stay on the storage hosts until the queues drain; " +
        'it is filled by a 91.0 MiB (ar-1 40 diffs 91.0 MiB, oldest gid 3, 95 s, halted, last error: not-found: ar-1 holds no such volume), b 4.0 MiB (ar-1 40 diffs 4.0 MiB, oldest gid 3, 95 s)',
    );
    expect(p.actions).toEqual([]);
  });

  it('does not warn while the spool has room', () => {
    expect(plan(false).diagnostics.filter((d) => d.address === 'px-1')).toEqual([]);
  });
});
