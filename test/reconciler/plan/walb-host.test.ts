/** A plan for a `driver: walb` host shows, with each action WalB has one command for, the walbc command apply runs. */
import { describe, expect, it } from 'vitest';

import { loadDesiredState } from '../../../reconciler/desired/load.js';
import { computePlan } from '../../../reconciler/plan/compute.js';
import { emptyObservedState } from '../../../reconciler/plan/observed-json.js';
import { hostFile, writeTree } from '../desired/tree-fixture.js';

describe('a plan on a driver: walb host', () => {
  it('shows the walbc command of every storage and archive action, and none on a native host', async () => {
    const walb = hostFile('h1').replace('dataDir: /srv/walbctl\n', 'dataDir: /srv/walbctl\ndriver: walb\nstorage:\n  listen: 127.0.0.1:10000\narchive:\n  listen: 127.0.0.1:10200\nproxy:\n  listen: 127.0.0.1:10100\n');
    const { state } = await loadDesiredState(writeTree({ 'hosts/h1.yaml': walb }));
    const plan = computePlan(state!, emptyObservedState('h1', '2026-12-04T12:00:00Z'), new Date('2026-12-04T12:00:00Z')).plan;
    const shown = plan.actions.map((a) => `${a.kind}: ${String(a.params.walbc)}`);
    expect(shown).toEqual(expect.arrayContaining([
      'init: init-vol v1', `init: init-vol v1 ${state!.hosts.h1!.volumes.v1!.device.path}`, 'full-backup: full-bkp v1',
      'add-destination: archive-info add v1 h1 127.0.0.1:10200', 'start: start v1',
    ]));
    const native = await loadDesiredState(writeTree({ 'hosts/h1.yaml': hostFile('h1') }));
    expect(computePlan(native.state!, emptyObservedState('h1', '2026-12-04T12:00:00Z'), new Date('2026-12-04T12:00:00Z')).plan.actions.some((a) => a.params.walbc !== undefined)).toBe(false);
  });
});
