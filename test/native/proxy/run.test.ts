import { describe, expect, it } from 'vitest';

import type { QueuedDiff } from '../../../native/lib/proxy/queue.js';
import { pickRun } from '../../../native/lib/proxy/run.js';

const T0 = Date.parse('2026-12-04T12:00:00Z');

/** A queued diff |g|-->|g+1| of `mib` MiB that arrived `ageSec` before T0. */
function q(g: number, o: { mib?: number; mergeable?: boolean; explicitEnd?: boolean; ageSec?: number; compared?: boolean } = {}): QueuedDiff {
  return {
    lsid: { b: g * 100, e: g * 100 + 100 },
    diff: { b: { b: g, e: g }, e: { b: g + 1, e: g + 1 }, mergeable: o.mergeable ?? true, compared: o.compared ?? false, timestamp: `2026-12-04T11:00:0${g % 10}Z` },
    explicitEnd: o.explicitEnd ?? false,
    file: `f${g}`,
    path: `/q/f${g}`,
    bytes: (o.mib ?? 1) << 20,
    arrivedMs: T0 - (o.ageSec ?? 100) * 1000,
  };
}

const cases: Array<{ name: string; queue: QueuedDiff[]; delaySec?: number; limits?: { maxBytes: number; maxFiles: number }; take: number | null; span?: [number, number] }> = [
  { name: 'an empty queue sends nothing', queue: [], take: null },
  { name: 'consecutive mergeable diffs go as one', queue: [q(1), q(2), q(3)], take: 3, span: [1, 4] },
  { name: 'a run stops before an explicit snapshot (the next diff is not mergeable)', queue: [q(1), q(2, { explicitEnd: true }), q(3, { mergeable: false }), q(4)], take: 2, span: [1, 3] },
  { name: 'a run stops at the byte limit', queue: [q(1, { mib: 60 }), q(2, { mib: 60 }), q(3, { mib: 60 })], take: 2, span: [1, 3] },
  { name: 'a single diff over the byte limit still goes alone', queue: [q(1, { mib: 200 }), q(2)], take: 1, span: [1, 2] },
  { name: 'a run stops at the file-count limit', queue: [q(1), q(2), q(3), q(4)], limits: { maxBytes: 1 << 30, maxFiles: 3 }, take: 3, span: [1, 4] },
  { name: 'a run stops at a diff still inside its delay', queue: [q(1, { ageSec: 100 }), q(2, { ageSec: 10 })], delaySec: 30, take: 1 },
  { name: 'nothing goes while the oldest is inside its delay', queue: [q(1, { ageSec: 10 })], delaySec: 30, take: null },
  { name: 'a compared diff (a hash backup) is never merged', queue: [q(1), q(2, { compared: true })], take: 1 },
  { name: 'a gap in gids ends the run', queue: [q(1), q(3)], take: 1 },
];

describe('which queued diffs go in one transfer', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = pickRun(c.queue, { nowMs: T0, delaySec: c.delaySec ?? 0, ...(c.limits ? { limits: c.limits } : {}) });
      if (c.take === null) {
        expect(r.run).toBeNull();
        return;
      }
      expect(r.run?.diffs.length).toBe(c.take);
      if (c.span) expect([r.run!.diff.b.b, r.run!.diff.e.b]).toEqual(c.span);
      expect(r.run!.diff.timestamp).toBe(r.run!.diffs[r.run!.diffs.length - 1]!.diff.timestamp);
    });
  }

  it('says when the oldest diff becomes due', () => {
    const r = pickRun([q(1, { ageSec: 10 })], { nowMs: T0, delaySec: 30 });
    expect(r).toEqual({ run: null, waitUntilMs: T0 + 20_000 });
  });
});
