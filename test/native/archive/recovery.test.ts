/**
 * Action exclusion, an interrupted apply finished by the next apply or by start, a gap found by
 * verify: deterministic versions of what the crash test finds at random.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rm, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  applyUpTo,
  archivePaths,
  BusyError,
  ensureRecovered,
  listDiffs,
  observeArchive,
  restore,
  startArchive,
  stopArchive,
  verifyArchive,
} from '../../../native/lib/archive/index.js';
import { tempPathFor } from '../../../common/atomic-write.js';
import { beginAction, updateMeta } from '../../../native/lib/archive/volume.js';
import { fullBackup, snapshot } from '../../../native/lib/storage/index.js';
import { freshVolume, sha1, writeAt, type Fixture } from './_workload.js';

describe('archive actions and recovery', () => {
  let f: Fixture;
  const expected = new Map<number, string>();

  beforeEach(async () => {
    f = await freshVolume({ size: 1 << 20, bulkSize: 4096 });
    writeAt(f.device, 0, Buffer.alloc(10_000, 1));
    await fullBackup(f.dataDir, f.vol);
    for (let i = 0; i < 3; i++) {
      writeAt(f.device, 50_000 * (i + 1), Buffer.alloc(30_000, 20 + i));
      const s = await snapshot(f.dataDir, f.vol, { explicit: false });
      expected.set(s.gid, sha1(f.device));
    }
  });
  afterEach(async () => {
    await rm(f.dir, { recursive: true, force: true });
  });

  it('refuses a restore while another restore runs, naming it and its pid', async () => {
    const running = await beginAction(f.dataDir, f.vol, { op: 'restore' });
    try {
      const error = await restore(f.dataDir, f.vol, 2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BusyError);
      expect((error as Error).message).toBe(`v: cannot restore while restore runs (pid ${process.pid}); try again when it ends`);
      expect((await observeArchive(f.dataDir, f.vol))!.busy).toBe('restore');
    } finally {
      await running.end();
    }
  });

  it('ignores the action of a process that died', async () => {
    await updateMeta(archivePaths(f.dataDir, f.vol), (m) => void m.actions.push({ name: 'apply', pid: 2 ** 22 + 12345, since: new Date().toISOString() }), { volume: f.vol, operation: 'test' });
    const r = await restore(f.dataDir, f.vol, 3, { path: join(f.dir, 'r3.img') });
    expect(sha1(r.path)).toBe(expected.get(3));
  });

  it('drops an action of its own process whose end could not write the metadata: the next restore is not refused', async () => {
    const paths = archivePaths(f.dataDir, f.vol);
    const running = await beginAction(f.dataDir, f.vol, { op: 'restore' });
    // The metadata is unreadable while the action ends (as a lock held past its timeout or a full disk would make it).
    renameSync(paths.meta, `${paths.meta}.away`);
    await running.end();
    renameSync(`${paths.meta}.away`, paths.meta);
    expect(JSON.parse(readFileSync(paths.meta, 'utf8')).actions).toMatchObject([{ name: 'restore', pid: process.pid }]);
    const r = await restore(f.dataDir, f.vol, 3, { path: join(f.dir, 'r3.img') });
    expect(sha1(r.path)).toBe(expected.get(3));
    expect(JSON.parse(readFileSync(paths.meta, 'utf8')).actions).toEqual([]);
    // An action of this process that is still running excludes as before.
    const again = await beginAction(f.dataDir, f.vol, { op: 'restore' });
    try {
      await expect(restore(f.dataDir, f.vol, 2)).rejects.toBeInstanceOf(BusyError);
    } finally {
      await again.end();
    }
  });

  it('takes out a restore entry of its own process that no restore of it runs (an abort that could not write the metadata), and keeps a running one', async () => {
    const paths = archivePaths(f.dataDir, f.vol);
    const tmp = join(f.dir, '.tmp-r3.img.left');
    writeFileSync(tmp, 'half an image');
    const entry = { gid: 3, path: join(f.dir, 'r3.img'), tmp, pid: process.pid };
    await updateMeta(paths, (m) => void m.restoring.push(entry), { volume: f.vol, operation: 'test' });
    // While a restore of this process runs, its entry is its own: nothing to recover.
    const running = await beginAction(f.dataDir, f.vol, { op: 'restore' });
    try {
      expect(await ensureRecovered(f.dataDir, f.vol)).toBe(false);
      expect(JSON.parse(readFileSync(paths.meta, 'utf8')).restoring).toEqual([entry]);
    } finally {
      await running.end();
    }
    // Once none runs, the entry is stale: recovered as a dead process's would be.
    expect(await ensureRecovered(f.dataDir, f.vol)).toBe(true);
    expect(JSON.parse(readFileSync(paths.meta, 'utf8')).restoring).toEqual([]);
    expect(readdirSync(f.dir)).not.toContain(basename(tmp));
  });

  async function interruptApplyTo(gid: number): Promise<void> {
    // What a crash after the apply's commit of <B-->E> and part of the writes leaves behind.
    const paths = archivePaths(f.dataDir, f.vol);
    const diffs = (await listDiffs(f.dataDir, f.vol)).filter((d) => d.e.b <= gid);
    await updateMeta(
      paths,
      (m) => {
        m.base = { b: m.base.b, e: { b: gid, e: gid } };
        m.applying = diffs.map((d) => d.file);
      },
      { volume: f.vol, operation: 'test' },
    );
    writeAt(paths.base, 50_000, Buffer.alloc(30_000, 20)); // the first diff's blocks, half applied
  }

  it('finishes an interrupted apply with the next apply', async () => {
    await interruptApplyTo(3);
    expect((await observeArchive(f.dataDir, f.vol))!.busy).toBe('apply (interrupted)');
    expect((await verifyArchive(f.dataDir, f.vol)).problems[0]).toMatch(/an apply to gid 3 was interrupted/);
    const r = await applyUpTo(f.dataDir, f.vol, 3);
    expect(r.finishedInterrupted).toBe(true);
    const a = await observeArchive(f.dataDir, f.vol);
    expect(a!.base).toEqual({ b: { b: 3, e: 3 } });
    expect(a!.restorable.map((x) => x.gid)).toEqual([3, 4]);
    for (const gid of [3, 4]) {
      const out = await restore(f.dataDir, f.vol, gid, { path: join(f.dir, `a${gid}.img`) });
      expect(sha1(out.path)).toBe(expected.get(gid));
    }
    expect((await verifyArchive(f.dataDir, f.vol)).ok).toBe(true);
  });

  it('deletes the folded diffs that an apply killed after its commit left behind, when the apply runs again', async () => {
    const dir = archivePaths(f.dataDir, f.vol).dir;
    const folded = (await listDiffs(f.dataDir, f.vol)).filter((d) => d.e.b <= 3).map((d) => d.file);
    expect(folded.length).toBeGreaterThan(0);
    const saved = new Map<string, Buffer>();
    for (const file of folded) saved.set(file, readFileSync(join(dir, file)));
    await applyUpTo(f.dataDir, f.vol, 3);
    // kill -9 between the metadata commit (<3>) and the deletes: the folded diffs are still there.
    for (const [file, bytes] of saved) writeFileSync(join(dir, file), bytes);
    expect((await verifyArchive(f.dataDir, f.vol)).ok).toBe(false);
    await applyUpTo(f.dataDir, f.vol, 3);
    expect((await listDiffs(f.dataDir, f.vol)).filter((d) => d.e.b <= 3)).toEqual([]);
    expect((await verifyArchive(f.dataDir, f.vol)).ok).toBe(true);
    const out = await restore(f.dataDir, f.vol, 4, { path: join(f.dir, 'a4.img') });
    expect(sha1(out.path)).toBe(expected.get(4));
  });

  it('finishes an interrupted apply at start', async () => {
    await stopArchive(f.dataDir, f.vol);
    await interruptApplyTo(2);
    await startArchive(f.dataDir, f.vol);
    const a = await observeArchive(f.dataDir, f.vol);
    expect(a!.state).toBe('Archived');
    expect(a!.base).toEqual({ b: { b: 2, e: 2 } });
    const out = await restore(f.dataDir, f.vol, 4, { path: join(f.dir, 'a4.img') });
    expect(sha1(out.path)).toBe(expected.get(4));
  });

  it('removes the temporary files of a dead process\'s atomic writes, and keeps those of a live one', async () => {
    const dir = archivePaths(f.dataDir, f.vol).dir;
    // Named as atomic writes name them (meta.json, a diff), by a pid that is not running; one in the
    // form of the builds between b90cbdb and its fix (a base-36 counter before the 8 hex digits),
    // whose recovery did not recognise it; and one of this (live) process.
    const dead = 999_999_999;
    const asDead = (target: string) => basename(tempPathFor(join(dir, target))).replace(`.${process.pid}.`, `.${dead}.`);
    const left = [asDead('meta.json'), asDead('0-1.wdiff'), `.tmp-meta.json.${dead}.2e6594559`];
    const live = basename(tempPathFor(join(dir, 'meta.json')));
    for (const n of [...left, live]) writeFileSync(join(dir, n), 'half');
    expect(await ensureRecovered(f.dataDir, f.vol)).toBe(true);
    const names = readdirSync(dir);
    for (const n of left) expect(names).not.toContain(n);
    expect(names).toContain(live);
  });

  it('reports a gap in the chain, and restores only up to it', async () => {
    const diffs = await listDiffs(f.dataDir, f.vol);
    await unlink(join(archivePaths(f.dataDir, f.vol).dir, diffs[1]!.file));
    const report = await verifyArchive(f.dataDir, f.vol);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/diff \|3\|-->\|4\| is not reachable from the base <0,1>: a gap/);
    await expect(restore(f.dataDir, f.vol, 4)).rejects.toThrow('v: gid 4 is not restorable; restorable gids: 2');
  });
});
