import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseSavedPlan } from '../../../reconciler/plan/saved-plan.js';
import { projectRoot, walbctl, walbctlProcess } from '../../helpers/cli.js';

const cases = join(projectRoot, 'test/fixtures/plan');
const fixture = (name: string, file: string): string => join(cases, name, file);
const now = '2026-11-21T12:00:00Z';
const planArgs = (name: string, ...more: string[]): string[] =>
  ['plan', '--host', 'local', '--desired', fixture(name, 'desired.json'), '--observed', fixture(name, 'observed.json'), '--now', now, ...more];

describe('walbctl plan', () => {
  it('prints the plan of a fixture as its golden text and exits 0', async () => {
    const r = await walbctl(planArgs('removed-volume'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(fixture('removed-volume', 'plan.txt'), 'utf8'));
  });

  it('exits 3 with --detailed-exitcode, counts blocked actions apart and says "whole": false when the plan cannot be carried out whole', async () => {
    // The full backup waits for a primary archive on another host that did not answer (blocked).
    const r = await walbctl(planArgs('remote-archive-unreachable', '--detailed-exitcode'));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^Plan: 0 to create, 0 to change, 0 to destroy, 0 data actions; 1 cannot run \(1 blocked\), so the plan cannot be carried out whole\.$/m);
    const json = JSON.parse((await walbctl(planArgs('remote-archive-unreachable', '--json', '--detailed-exitcode'))).stdout);
    expect(json).toMatchObject({ changes: true, whole: false, summary: { create: 0, change: 0, destroy: 0, data: 0, blocked: 1, refused: 0, waiting: 0 } });
  });

  it('exits 2 with --detailed-exitcode when there are changes and 0 when there are none', async () => {
    const changes = await walbctl(planArgs('new-volume', '--detailed-exitcode'));
    expect(changes.code).toBe(2);
    expect(changes.stdout).toMatch(/^Plan: 2 to create, 0 to change, 0 to destroy, 1 data actions\.$/m);
    const none = await walbctl(planArgs('no-changes', '--detailed-exitcode'));
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^No changes\. local matches the repository\.$/m);
  });

  it('prints JSON with format_version and resource_changes, and saves the same plan with --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-plan-'));
    const out = join(dir, 'plan.json');
    const r = await walbctl(planArgs('restores', '--json', '--out', out));
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.format_version).toBe('2.1');
    expect(json.summary).toEqual({ create: 3, change: 0, destroy: 3, data: 2, blocked: 0, refused: 0, waiting: 0 });
    expect(json.resource_changes.find((c: { id: string }) => c.id === 'local/demo:delete-restore:gid-40')).toMatchObject({
      address: 'local/demo', change: { actions: ['delete'] }, destructive: true, action_reason: 'no declared restore keeps /srv/restore/undeclared.img',
    });
    const saved = parseSavedPlan(readFileSync(out, 'utf8'), out);
    expect(saved.actions.map((a) => a.id)).toEqual(json.resource_changes.map((c: { id: string }) => c.id));
    expect(saved.observedDigest).toBe(json.observed_digest);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(json);
    expect(saved.observedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('exits 1 and names the file and field of a bad observed fixture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-plan-'));
    const bad = JSON.parse(readFileSync(fixture('no-changes', 'observed.json'), 'utf8'));
    bad.volumes.demo.archive.diffs[2].dataSize = -5;
    writeFileSync(join(dir, 'observed.json'), JSON.stringify(bad));
    const r = await walbctl(['plan', '--host', 'local', '--desired', fixture('no-changes', 'desired.json'), '--observed', join(dir, 'observed.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`walbctl: error: ${join(dir, 'observed.json')}: volumes.demo.archive.diffs[2].dataSize: expected a non-negative integer, got -5\n`);
  });

  it('refuses an observed state of another host', async () => {
    const r = await walbctl(['plan', '--host', 'db-1', '--desired', fixture('no-changes', 'desired.json'), '--observed', fixture('no-changes', 'observed.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is of host local, not db-1/);
  });

  it.each([
    { args: ['plan'], message: /--host H is required/ },
    { args: ['plan', '--all-hosts'], message: /--all-hosts needs --observed-dir/ },
    { args: ['plan', '--host', 'a', '--all-hosts', '--observed-dir', '.'], message: /exclude each other/ },
    { args: ['plan', '--host', 'local', '--now', 'yesterday'], message: /--now: expected a UTC ISO 8601 time/ },
  ])('rejects $args with one usage line', async ({ args, message }) => {
    const r = await walbctl(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('plans every host from an observed-dir, warning about hosts without a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-plan-'));
    copyFileSync(fixture('replication', 'observed.json'), join(dir, 'local.json'));
    const r = await walbctl(['plan', '--all-hosts', '--observed-dir', dir, '--desired', fixture('replication', 'desired.json'), '--now', now, '--detailed-exitcode']);
    expect(r.code).toBe(2); // changes, none of them blocked (replication and synchronize run on the wire)
    expect(r.stderr.split('\n').filter(Boolean)).toEqual(['dr-1', 'dr-2', 'dr-3'].map((h) => `walbctl: warning: no observed state for host ${h} (${h}.json): planned as a host with nothing on it`));
    expect(r.stdout.match(/^walbctl plan for host \S+/gm)).toEqual(['dr-1', 'dr-2', 'dr-3', 'local'].map((h) => `walbctl plan for host ${h}`));
    expect(r.stdout).toMatch(/^No changes\. dr-3 matches the repository\.$/m);
    const json = JSON.parse((await walbctl(['plan', '--all-hosts', '--observed-dir', dir, '--desired', fixture('replication', 'desired.json'), '--now', now, '--json'])).stdout);
    expect(json.format_version).toBe('2.1');
    expect(json.hosts.map((h: { host: string; changes: boolean }) => [h.host, h.changes])).toEqual([['dr-1', true], ['dr-2', true], ['dr-3', false], ['local', true]]);
  });

  it('exits 1 when the plan has errors (an observed host the repository does not declare)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-plan-'));
    copyFileSync(fixture('no-changes', 'observed.json'), join(dir, 'local.json'));
    writeFileSync(join(dir, 'gone.json'), JSON.stringify({ formatVersion: 1, host: 'gone', observedAt: now, volumes: {}, lastApplied: null }));
    const r = await walbctl(['plan', '--all-hosts', '--observed-dir', dir, '--desired', fixture('no-changes', 'desired.json'), '--now', now]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Error: gone: host gone is not declared in the repository/m);
  });

  it('plans the checkout\'s own hosts/ tree as a real process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-plan-'));
    // The demo's archive is host backup, whose status call answered: an initialised, empty archive.
    const backup = { reachable: true, observedAt: now, state: 'SyncReady', uuid: null, base: null, newestGid: null, restorable: [] };
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ formatVersion: 1, host: 'local', observedAt: now, volumes: { demo: { name: 'demo', peers: { backup } } }, lastApplied: null }));
    const r = walbctlProcess(['plan', '--host', 'local', '--observed', join(dir, 'local.json'), '--detailed-exitcode'], { cwd: projectRoot });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ {2}# local\/demo$/m);
    expect(r.stdout).toMatch(/^ {2}> full-backup archive=backup$/m);
  });

  it('reports a tree that does not validate with its diagnostics and exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-plan-'));
    mkdirSync(join(dir, 'hosts'));
    writeFileSync(join(dir, 'hosts', 'local.yaml'), 'host: local\nroles: [storage]\nbogus: 1\n');
    const r = walbctlProcess(['plan', dir, '--host', 'local', '--observed', fixture('no-changes', 'observed.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^walbctl: error: .*: the desired state does not validate \(\d+ problems?\):$/m);
    expect(r.stderr).toMatch(/hosts\/local\.yaml:\d+:\d+: error: /);
  });
});
