import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Worker } from 'node:worker_threads';

import { observedDigest } from '../../../../reconciler/plan/digest.js';
import { resolveFixturePaths } from '../../../../reconciler/plan/io/observed.js';
import { parseObservedState } from '../../../../reconciler/plan/observed-json.js';
import { projectRoot, walbctlProcess } from '../../../helpers/cli.js';

// The worker only runs from the built dist/ (as the real CLI does), so these tests run walbctl as a
// process, once with every file checked on a worker thread (WALBCTL_PLAN_WORKER_MIN_BYTES=0) and once
// with none (a huge threshold), and ask for the same output, errors and exit codes.
const cases = join(projectRoot, 'test/fixtures/plan');
const now = '2026-11-21T12:00:00Z';
const worker = { WALBCTL_PLAN_WORKER_MIN_BYTES: '0' };
const serial = { WALBCTL_PLAN_WORKER_MIN_BYTES: String(2 ** 40) };
const plan = (desired: string, observed: string, env: NodeJS.ProcessEnv, ...more: string[]) =>
  walbctlProcess(['plan', '--host', 'local', '--desired', desired, '--observed', observed, '--now', now, ...more], { env });

const names = readdirSync(cases).filter((n) => !n.includes('.'));

/** The worker's own verdict on a file (the built worker, as the CLI starts it). */
const verdict = (file: string, digest: boolean): Promise<unknown> => new Promise((resolve, reject) => {
  const w = new Worker(join(projectRoot, 'dist/reconciler/plan/io/observed-worker.js'), { workerData: { file, root: '/tree', digest } });
  w.once('message', (v) => { resolve(v); void w.terminate(); });
  w.once('error', reject);
});

describe('the observed-state check on a worker thread', () => {
  it('checks a good file and hashes it as observedDigest does, paths taken from the root', async () => {
    for (const name of ['restores', 'replication', 'drift']) {
      const file = join(cases, name, 'observed.json');
      const expected = observedDigest(resolveFixturePaths(parseObservedState(readFileSync(file, 'utf8'), file), '/tree'));
      expect(await verdict(file, true)).toEqual({ ok: true, digest: expected });
      expect(await verdict(file, false)).toEqual({ ok: true });
    }
  });

  it.each(names)('gives the same text and JSON, digest included, as the serial checks for %s', (name) => {
    const d = join(cases, name, 'desired.json');
    const o = join(cases, name, 'observed.json');
    for (const extra of [[], ['--json']]) {
      const a = plan(d, o, worker, ...extra);
      const b = plan(d, o, serial, ...extra);
      expect(a).toEqual(b);
    }
  });

  const broken = (edit: (o: any) => void, reorder = false): string => {
    const o = JSON.parse(readFileSync(join(cases, 'no-changes', 'observed.json'), 'utf8'));
    edit(o);
    if (reorder) o.volumes = Object.fromEntries(Object.entries(o.volumes).reverse());
    const dir = mkdtempSync(join(tmpdir(), 'walbctl-check-'));
    writeFileSync(join(dir, 'observed.json'), JSON.stringify(o, null, reorder ? 2 : undefined));
    return join(dir, 'observed.json');
  };

  it('names the first bad volume as the serial checks word it, and declines what it does not handle', async () => {
    const bad = broken((o) => { o.volumes.demo.archive.diffs[2].dataSize = -5; });
    expect(await verdict(bad, true)).toEqual({ error: `${bad}: volumes.demo.archive.diffs[2].dataSize: expected a non-negative integer, got -5` });
    const numbered = broken((o) => { o.volumes['42'] = { name: '42' }; });
    expect(await verdict(numbered, true)).toMatchObject({ declined: expect.stringContaining('"42"') });
  });

  it.each([
    ['a bad diff size', (o: any) => { o.volumes.demo.archive.diffs[2].dataSize = -5; }],
    ['a bad diff size and a bad lastApplied (the volume is named first)', (o: any) => { o.volumes.demo.archive.diffs[2].dataSize = -5; o.lastApplied = 7; }],
    ['a bad lastApplied only', (o: any) => { o.lastApplied = 7; }],
    ['a storage that is not an object', (o: any) => { o.volumes.demo.storage = 'x'; }],
    ['a device path that is not a string (planning would fail first)', (o: any) => { o.volumes.demo.storage.devicePath = 12; }],
    ['a bad format version', (o: any) => { o.formatVersion = 9; }],
    ['another host', (o: any) => { o.host = 'db-1'; }],
    ['an extra volume keyed by a number', (o: any) => { o.volumes['42'] = { name: 'x' }; }],
  ])('reports %s exactly as the serial checks do', (_name, edit) => {
    const d = join(cases, 'no-changes', 'desired.json');
    const o = broken(edit);
    const a = plan(d, o, worker, '--json');
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^walbctl: error: /);
    expect(a).toEqual(plan(d, o, serial, '--json'));
  });

  it('hashes a pretty-printed file with volumes out of name order as the serial digest does', () => {
    const d = join(cases, 'restores', 'desired.json');
    const o = broken(() => undefined, true);
    const a = plan(d, o, worker, '--json');
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).observed_digest).toBe(JSON.parse(plan(d, o, serial, '--json').stdout).observed_digest);
  });
});
