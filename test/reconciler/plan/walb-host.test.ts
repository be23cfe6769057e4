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

  it('blocks what WalB\'s servers cannot do, saying why, and shows the replicate command to a walb-archive', async () => {
    const walb = (name: string, role: string, port: number) => `host: ${name}\naddress: 127.0.0.1\nroles: [${role}]\ndataDir: /srv/walbctl\ndriver: walb\n${role}:\n  listen: 127.0.0.1:${port}\n`;
    const { state, diagnostics } = await loadDesiredState(writeTree({
      'hosts/db-1.yaml': `${walb('db-1', 'storage', 10000)}volumes:
  pg:
    device:
      path: /dev/walb/pg
      size: 1GiB
    proxies: [db-1]
    archives: [ar-1, { host: ar-2, primary: false }, { host: ar-3, primary: false }]
    snapshots:
      every: 1h
    retention:
      keepDaily: 7
    restores:
      - name: check
        path: /srv/check
        verify: true
    replication:
      - { from: ar-1, to: ar-2, mode: async, every: 1h, compression: zstd }
      - { from: ar-1, to: ar-3, mode: async, every: 1h }
`.replace('proxies: [db-1]', 'proxies: []'),
      'hosts/ar-1.yaml': walb('ar-1', 'archive', 10201),
      'hosts/ar-2.yaml': walb('ar-2', 'archive', 10202),
      'hosts/ar-3.yaml': 'host: ar-3\naddress: 127.0.0.1\nroles: [archive]\ndataDir: /srv/walbctl\narchive:\n  listen: 127.0.0.1:1\n  walbListen: 127.0.0.1:2\n',
    }));
    expect(diagnostics).toEqual([]);
    const at = '2026-12-05T08:00:00Z';
    const observed = emptyObservedState('ar-1', at);
    observed.volumes.pg = {
      name: 'pg',
      archive: {
        state: 'Archived', base: { b: { b: 3, e: 3 } }, uuid: 'u', diffs: [], explicitSnapshots: [3], restorable: [{ gid: 3, timestamp: '2026-12-05T07:00:00Z', explicit: true }],
        restored: [{ gid: 3, path: '/dev/vg0/wr_pg_3', createdAt: null, verified: null }], replicas: {}, busy: null,
      },
    };
    const plan = computePlan(state!, observed, new Date(at)).plan;
    const byKind = (kind: string, to?: string) => plan.actions.find((a) => a.kind === kind && (to === undefined || a.params.to === to));
    expect(byKind('replicate', 'ar-2')).toMatchObject({ blocked: null, params: { walbc: 'replicate pg gid 3 127.0.0.1:10202 1 0 zstd:0:1' } });
    expect(byKind('replicate', 'ar-3')!.blocked).toBe("walb-archive replicates only to another walb-archive (WalB's repl-sync); ar-3 is a walbctl archive, which does not speak repl-sync");
    const verify = plan.actions.filter((a) => a.kind === 'verify-restore');
    expect(verify.length).toBeGreaterThan(0);
    for (const v of verify) expect(v.blocked).toMatch(/^WalB servers cannot verify a restored image/);
  });

  it('blocks a walbctl archive\'s replication to a walb-archive, saying why', async () => {
    const { state, diagnostics } = await loadDesiredState(writeTree({
      'hosts/db-1.yaml': `host: db-1
address: 127.0.0.1
roles: [storage]
dataDir: /srv/walbctl
volumes:
  pg:
    device:
      path: pg.img
      size: 1GiB
    proxies: []
    archives: [ar-3, { host: ar-2, primary: false }]
    snapshots:
      every: 1h
    retention:
      keepDaily: 7
    replication:
      - { from: ar-3, to: ar-2, mode: async, every: 1h }
`,
      'hosts/ar-2.yaml': 'host: ar-2\naddress: 127.0.0.1\nroles: [archive]\ndataDir: /srv/walbctl\ndriver: walb\narchive:\n  listen: 127.0.0.1:10202\n',
      'hosts/ar-3.yaml': 'host: ar-3\naddress: 127.0.0.1\nroles: [archive]\ndataDir: /srv/walbctl\narchive:\n  listen: 127.0.0.1:1\n',
    }));
    expect(diagnostics).toEqual([]);
    const at = '2026-12-05T08:00:00Z';
    const observed = emptyObservedState('ar-3', at);
    observed.volumes.pg = {
      name: 'pg',
      archive: { state: 'Archived', base: { b: { b: 3, e: 3 } }, uuid: 'u', diffs: [], explicitSnapshots: [3], restorable: [{ gid: 3, timestamp: '2026-12-05T07:00:00Z', explicit: true }], restored: [], replicas: {}, busy: null },
    };
    const replicate = computePlan(state!, observed, new Date(at)).plan.actions.find((a) => a.kind === 'replicate');
    expect(replicate!.blocked).toBe("walbctl replicates over its own wire; ar-2 is a walb-archive, which takes a replication only as WalB's repl-sync (walbctl does not speak it)");
    expect(replicate!.params.walbc).toBeUndefined();
  });
});
