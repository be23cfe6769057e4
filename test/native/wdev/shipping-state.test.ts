import { describe, expect, it } from 'vitest';

import type { CaptureState } from '../../../native/lib/wdev/capture-state.js';
import { emptyShipping, markLogEnd, shippingView, type ShippingState } from '../../../native/lib/wdev/shipping-state.js';

const cap = (shipped: number): CaptureState => ({ formatVersion: 1, archiveDataDir: 'wire:ar-1', shipped: { snap: { b: 3, e: 3 }, lsid: shipped, explicit: false }, queue: [], latestGid: 3 });

function state(marks: [number, number][], proxies: ShippingState['proxies'] = {}): ShippingState {
  const s = emptyShipping();
  for (const [lsid, at] of marks) markLogEnd(s, lsid, at);
  s.proxies = proxies;
  return s;
}

describe('what a storage reports of its shipped log', () => {
  it('keeps one mark per log end, moving its time forward while the log stands still', () => {
    const s = state([[10, 1000], [10, 2000], [20, 3000], [20, 4000]]);
    expect(s.marks).toEqual([{ lsid: 10, at: 2000 }, { lsid: 20, at: 4000 }]);
  });

  it('has a recovery point of 0 when every archive holds everything written', () => {
    const s = state([[100, 1000]], { 'px-1': { at: 5000, receivedLsid: 100, archives: { 'ar-1': { lsid: 100, gid: 4 }, 'ar-2': { lsid: 100, gid: 4 } } } });
    expect(shippingView(s, cap(100), 100, 9000)).toMatchObject({ writtenLsid: 100, shippedLsid: 100, convertedLsid: 100, archivedLsid: 100, recoveryPointSeconds: 0, proxiesSeenAt: new Date(5000).toISOString() });
  });

  it('dates the writes the slowest archive lacks by the newest moment the log ended at or before what it holds', () => {
    // The log ended at 50 at t=2 s and at 80 at t=4 s; ar-2 holds up to 60: what came after t=2 s may be missing.
    const s = state([[50, 2000], [80, 4000], [120, 6000]], { 'px-1': { at: 6000, receivedLsid: 120, archives: { 'ar-1': { lsid: 120, gid: 6 }, 'ar-2': { lsid: 60, gid: 5 } } } });
    const v = shippingView(s, cap(120), 120, 10_000);
    expect(v.archivedLsid).toBe(60);
    expect(v.archives).toEqual({ 'ar-1': { lsid: 120, gid: 6 }, 'ar-2': { lsid: 60, gid: 5 } });
    expect(v.recoveryPointSeconds).toBe(8);
  });

  it('combines the answers of two proxies after a failover, and counts an archive with nothing forwarded yet as holding nothing', () => {
    const s = state([[10, 1000], [40, 3000]], {
      'px-1': { at: 4000, receivedLsid: 30, archives: { 'ar-1': { lsid: 30, gid: 2 }, 'ar-2': null } },
      'px-2': { at: 5000, receivedLsid: 40, archives: { 'ar-1': { lsid: 40, gid: 3 } } },
    });
    const v = shippingView(s, cap(40), 40, 7000);
    expect(v.convertedLsid).toBe(40);
    expect(v.archivedLsid).toBe(0);
    // Nothing is dated at or before lsid 0: the first mark past it is a lower bound.
    expect(v.recoveryPointSeconds).toBe(6);
  });

  it('without any proxy answer, reports the age of the oldest log not shipped, or unknown', () => {
    expect(shippingView(state([[10, 1000], [30, 3000]]), cap(10), 30, 5000)).toMatchObject({ archivedLsid: null, convertedLsid: null, recoveryPointSeconds: 4 });
    expect(shippingView(state([[30, 3000]]), cap(30), 30, 5000).recoveryPointSeconds).toBeNull();
    expect(shippingView(null, cap(10), 30, 5000).recoveryPointSeconds).toBeNull();
  });
});
