import { describe, expect, it } from 'vitest';

import { synthetic } from '../../../bench/plan/synthetic.js';
import { Checker } from '../../../reconciler/plan/check.js';
import { checkVolume, parseObservedState } from '../../../reconciler/plan/observed-json.js';
import { volumeLooksValid } from '../../../reconciler/plan/observed-quick.js';

/** A few volumes of the bench's synthetic host (storage, archive with diffs, restores, replicas), one with a proxy. */
function sample(): Record<string, unknown> {
  const { observed } = synthetic(2);
  const first = Object.keys(observed.volumes)[0]!;
  const volumes = observed.volumes as unknown as Record<string, Record<string, unknown>>;
  volumes[first]!.proxy = { state: 'Started', archives: ['local'] };
  (volumes[first]!.storage as Record<string, unknown>).log = { oldestLsid: 0, permanentLsid: 8, writtenLsid: 8, capacityPb: 1024, usagePb: 8 };
  (volumes[first]!.storage as Record<string, unknown>).overflowReason = null;
  // What a storage host learns of a remote primary archive, and what an archive's check set aside.
  (volumes[first]!.storage as Record<string, unknown>).outboxBaseGid = 12;
  const aside = { file: '20261205070000-MC-5-9.wdiff', from: 5, to: 9, reason: 'bad record checksum', at: '2026-12-05T07:00:00Z' };
  if (volumes[first]!.archive) (volumes[first]!.archive as Record<string, unknown>).setAside = [aside];
  volumes[first]!.peers = {
    'ar-1': { reachable: true, observedAt: '2026-12-05T08:00:00Z', state: 'Archived', uuid: 'c'.repeat(32), deviceUuid: 'd'.repeat(32), base: { b: 0, e: 1 }, newestGid: 15, restorable: [1, 3], chain: { contiguousTo: 5, hole: { after: 5, before: 9 }, setAside: [aside] } },
  };
  return observed as unknown as Record<string, unknown>;
}

/** Every path to a value inside `value` (objects and arrays), as key lists. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

const BAD_VALUES: unknown[] = [undefined, null, -1, 1.5, Number.NaN, '', 'x', '2026-02-30T00:00:00Z', true, {}, [], 'Clear'];

describe('volumeLooksValid', () => {
  it('vouches for every volume of a well-formed observed state, so the quick pass is what checks them', () => {
    const observed = sample();
    const volumes = observed.volumes as Record<string, unknown>;
    for (const [name, v] of Object.entries(volumes)) expect(volumeLooksValid(name, v)).toBe(true);
    expect(() => parseObservedState(JSON.stringify(observed), 'o.json')).not.toThrow();
  });

  it('never vouches for a volume that the field-by-field checks reject, whatever field is broken', () => {
    const observed = sample();
    const volumes = observed.volumes as unknown as Record<string, Record<string, unknown>>;
    const name = Object.keys(volumes)[0]!;
    let rejected = 0;
    for (const path of paths(volumes[name]).filter((p) => p.length > 0)) {
      for (const bad of BAD_VALUES) {
        const copy = structuredClone(observed) as { volumes: Record<string, Record<string | number, unknown>> };
        let at: Record<string | number, unknown> = copy.volumes[name]!;
        for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
        at[path[path.length - 1]!] = bad;
        const volume: unknown = JSON.parse(JSON.stringify(copy.volumes[name]));
        let preciseError: unknown = null;
        try {
          checkVolume(new Checker('o.json'), name, volume);
        } catch (error) {
          preciseError = error;
        }
        if (preciseError !== null) {
          rejected++;
          expect(volumeLooksValid(name, volume), `${path.join('.')} = ${String(bad)}`).toBe(false);
        }
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });

  it('leaves the error message to the precise checks: a broken diff is named by file and field', () => {
    const observed = sample() as { volumes: Record<string, { archive: { diffs: { dataSize: unknown }[] } }> };
    const name = Object.keys(observed.volumes)[1]!;
    observed.volumes[name]!.archive.diffs[3]!.dataSize = -5;
    expect(() => parseObservedState(JSON.stringify(observed), 'o.json')).toThrow(`volumes.${name}.archive.diffs[3].dataSize: expected a non-negative integer, got -5`);
  });
});
