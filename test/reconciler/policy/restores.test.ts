import { describe, expect, it } from 'vitest';

import type { RestoreSpec } from '../../../reconciler/model/desired.js';
import type { ObservedRestored } from '../../../common/observed.js';
import { pickRestore } from '../../../reconciler/policy/restore-pick.js';
import { restoreSteps } from '../../../reconciler/policy/restores.js';
import type { Claims } from '../../../reconciler/policy/claims.js';

const now = Date.parse('2026-11-21T12:30:00Z'); // a Saturday
const at = (iso: string): number => Date.parse(iso);
const snaps = [
  { gid: 10, time: at('2026-11-15T20:00:00Z') }, // Sunday of the previous ISO week
  { gid: 20, time: at('2026-11-20T23:00:00Z') },
  { gid: 30, time: at('2026-11-21T11:10:00Z') },
  { gid: 40, time: at('2026-11-21T12:10:00Z') },
];

describe('pickRestore', () => {
  it.each([
    { pick: 'newest', gid: 40 },
    { pick: 'newest-hourly', gid: 30 },
    { pick: 'newest-daily', gid: 20 },
    { pick: 'newest-weekly', gid: 10 },
  ] as const)('$pick picks gid $gid', ({ pick, gid }) => {
    expect(pickRestore(pick, snaps, now)?.gid).toBe(gid);
  });

  it('picks nothing when no snapshot is old enough', () => {
    expect(pickRestore('newest-daily', snaps.slice(2), now)).toBeNull();
  });
});

const spec = (o: Partial<RestoreSpec> = {}): RestoreSpec => ({ name: 'r', pick: 'newest', path: '/srv/r.img', verify: true, ...o });
const image = (o: Partial<ObservedRestored> = {}): ObservedRestored => ({ gid: 40, path: '/srv/r.img', createdAt: '2026-11-21T12:15:00Z', verified: true, managed: true, ...o });
/** Volume v's claims: /srv/dev.img is volume w's device. */
const claims: Claims = new Map([['/srv/dev.img', { volume: 'w', use: 'device' }]]);
const plan = (specs: RestoreSpec[], restored: ObservedRestored[]) => restoreSteps({ volume: 'v', specs, restored, restorable: snaps, now, claims });
const kinds = (specs: RestoreSpec[], restored: ObservedRestored[]): string[] => plan(specs, restored).steps.map((s) => `${s.kind}${s.destructive ? '!' : ''}`);

describe('restoreSteps', () => {
  it.each([
    { name: 'restores and verifies a missing declared restore', specs: [spec()], restored: [], want: ['restore', 'verify-restore'] },
    { name: 'does nothing for a present, verified restore of the picked snapshot', specs: [spec()], restored: [image()], want: [] },
    { name: 'replaces a restore that holds an older snapshot', specs: [spec()], restored: [image({ gid: 30 })], want: ['delete-restore', 'restore', 'verify-restore'] },
    { name: 'restores again after a failed verification', specs: [spec()], restored: [image({ verified: false })], want: ['delete-restore', 'restore', 'verify-restore'] },
    { name: 'verifies a restore that never was', specs: [spec()], restored: [image({ verified: null })], want: ['verify-restore'] },
    { name: 'does not verify when verify is off', specs: [spec({ verify: false })], restored: [], want: ['restore'] },
    { name: 'deletes an image no declaration names, as a destructive action', specs: [], restored: [image({ path: '/srv/other.img' })], want: ['delete-restore!'] },
    { name: 'leaves alone an image an operator restored by hand', specs: [], restored: [image({ path: '/tmp/r3.img', managed: false })], want: [] },
    { name: 'leaves alone an image whose managed mark is absent (an older observed state)', specs: [], restored: [image({ path: '/tmp/r3.img', managed: undefined })], want: [] },
    { name: 'does not replace a hand-made image at a declared restore\'s path', specs: [spec()], restored: [image({ gid: 30, managed: false })], want: [] },
    { name: 'does not delete its own image at a path another volume now declares as its device', specs: [], restored: [image({ path: '/srv/dev.img' })], want: [] },
  ])('$name', ({ specs, restored, want }) => {
    expect(kinds(specs, restored)).toEqual(want);
  });

  it('reports a hand-made restore as not managed, and an image another volume now declares by that volume', () => {
    expect(plan([], [image({ path: '/tmp/r3.img', gid: 3, managed: false })]).warnings).toEqual(['/tmp/r3.img holds gid 3, restored by hand (not managed): walbctl leaves it alone']);
    expect(plan([], [image({ path: '/srv/dev.img' })]).warnings).toEqual([`/srv/dev.img holds gid 40 restored by walbctl, and is now volume w's device: walbctl does not delete it`]);
  });
});
