import { describe, expect, it } from 'vitest';

import { countDiff, diffDesired } from '../../../reconciler/plan/desired-diff.js';
import { desired, volume } from './fixtures.js';

describe('diffDesired', () => {
  it('finds nothing between equal states', () => {
    expect(diffDesired(desired([volume()]), desired([volume()]))).toEqual({ hosts: [] });
  });

  it.each([
    { name: 'a removed volume', before: [volume()], after: [], destructive: ['removed from the tree: its storage and archive data will be cleared'] },
    { name: 'a removed protected volume', before: [volume({ protect: true })], after: [], destructive: ['removed from the tree: its storage and archive data will be cleared', 'it was protected: the clear is refused until protect is removed in an earlier commit'] },
    { name: 'protect lifted', before: [volume({ protect: true })], after: [volume()], destructive: ['protect removed: destructive actions on this volume become possible'] },
    { name: 'an archive removed', before: [volume({ archives: [{ host: 'local', primary: true }, { host: 'dr-1', primary: false }] })], after: [volume()], destructive: ['archive on dr-1 removed: it will be cleared'] },
    { name: 'retention changed', before: [volume({ retention: { grid: null, keepLast: 10 } })], after: [volume({ retention: { grid: null, keepLast: 5 } })], destructive: ['retention changed: snapshots no rule keeps any more will be merged away'] },
    { name: 'apply age shortened', before: [volume({ apply: { olderThanSeconds: 86400 } })], after: [volume({ apply: { olderThanSeconds: 3600 } })], destructive: ['apply age shortened: more diffs are folded into the base and their snapshots stop being restorable'] },
    { name: 'a schedule changed (not destructive)', before: [volume()], after: [volume({ snapshots: { schedule: { kind: 'every', everySeconds: 60 } } })], destructive: [] },
  ])('calls out $name', ({ before, after, destructive }) => {
    const d = diffDesired(desired(before), desired(after));
    expect(d.hosts[0]!.volumes[0]!.destructive).toEqual(destructive);
  });

  it('lists changed fields with before and after, lists compared whole', () => {
    const d = diffDesired(desired([volume()]), desired([volume({ suspend: true, proxies: ['local', 'p2'] })]));
    expect(d.hosts[0]!.volumes[0]!.fields).toEqual([
      { path: 'proxies', before: '["local"]', after: '["local","p2"]' },
      { path: 'suspend', before: false, after: true },
    ]);
  });

  it('reports added and removed hosts with their volumes', () => {
    const d = diffDesired(desired([volume()]), desired([volume(), volume({ host: 'db-1', name: 'pg' })]));
    expect(d.hosts).toEqual([{ host: 'db-1', change: 'added', fields: [], volumes: [{ address: 'db-1/pg', change: 'added', fields: [], destructive: [] }] }]);
    expect(countDiff(d)).toEqual({ hosts: 1, added: 1, changed: 0, removed: 0, destructive: 0 });
  });
});
