/**
 * A hole in an archive's chain, repaired end to end by the daemon (issue 15.8): one host (storage and
 * archive, the native driver, scan capture) runs `walbctl daemon`; the test deletes a diff from the
 * middle of the archive's chain while the daemon runs (under the archive volume's lock, as an action
 * would hold it). From that moment no gid past the hole is restorable; the daemon plans and runs
 * the repair hash backup; afterwards the chain has no hole and every gid restorable before the hole
 * and after the repair restores to what the source held at that snapshot (sha1). Then it deletes the
 * newest diff (no gap shows, but the chain ends short of the storage's gid): repaired the same way.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { archivePaths, deleteRestored, observeArchive, restore } from '../../native/lib/archive/index.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { observeStorage, storagePaths } from '../../native/lib/storage/index.js';
import { chainGaps, sortDiffs } from '../../reconciler/policy/diff-chain.js';
import { freePort, makeRepo, startDaemon, waitFor, type RunningDaemon } from './daemon-harness.js';
import { stopDaemons } from './fleet-harness.js';

const SIZE = 4 << 20;
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

function hostFile(port: number): string {
  return `host: local
address: 127.0.0.1
roles: [storage, archive]
dataDir: data
createDataDir: true
driver: native
daemon:
  interval: 2s
  listen: 127.0.0.1:${port}
volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
    proxies: []
    archives: [local]
    snapshots:
      every: 2s
    retention:
      keepLast: 100
    merge:
      interval: 1h
      maxNr: 100
`;
}

const daemons: RunningDaemon[] = [];
let repoDir = '';
afterAll(async () => {
  await stopDaemons(daemons);
  if (repoDir) rmSync(repoDir, { recursive: true, force: true });
});

describe('A hole in the archive, repaired by the running daemon', () => {
  it('restores nothing past the hole, runs the repair hash backup, and then every restorable gid matches the source', { timeout: 240_000 }, async () => {
    const repo = makeRepo();
    repoDir = repo.dir;
    const dataDir = join(repo.dir, 'data');
    const device = join(dataDir, 'volumes', 'pg.img');
    mkdirSync(join(dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    const writes: { after: number; sha: string }[] = [{ after: -1, sha: sha1(device) }];
    const contentAt = (gid: number) => writes.filter((w) => w.after < gid).at(-1)!.sha;
    repo.commit('pg on one host', { 'hosts/local.yaml': hostFile(await freePort()) });
    const d = startDaemon(repo.dir);
    daemons.push(d);
    const write = async () =>
      withLock(storagePaths(dataDir, 'pg').lock, async () => {
        const latest = (await observeStorage(dataDir, 'pg'))!.latestGid ?? 0;
        const h = await open(device, 'r+');
        try {
          for (let i = 0; i < 6; i++) await h.write(randomBytes(4096 * (1 + (i % 3))), 0, undefined, 4096 * Math.floor(Math.random() * (SIZE / 4096 - 4)));
          await h.sync();
        } finally {
          await h.close();
        }
        writes.push({ after: latest, sha: sha1(device) });
        return latest;
      }, { volume: 'pg', operation: 'test-write', timeoutMs: 30_000 });
    await waitFor('pg archived', async () => (await observeArchive(dataDir, 'pg'))?.state === 'Archived', { timeoutMs: 60_000, logs: d.logs });
    for (let round = 0; round < 3; round++) {
      const before = await write();
      await waitFor(`a snapshot after write ${round + 1}`, async () => ((await observeArchive(dataDir, 'pg'))?.restorable.at(-1)?.gid ?? 0) > before, { timeoutMs: 40_000, logs: d.logs });
    }

    // The hole: the second diff of the chain goes, under the archive volume's lock (no action runs then).
    const paths = archivePaths(dataDir, 'pg');
    let holeAt = 0;
    const hole = await waitFor('a moment with no action on the archive', () =>
      withLock(paths.lock, async () => {
        const a = (await observeArchive(dataDir, 'pg'))!;
        const diffs = sortDiffs(a.diffs);
        if (a.busy || diffs.length < 3) return null;
        const gone = diffs[1]!;
        await rm(join(paths.dir, gone.file));
        holeAt = d.logs.length;
        const after = (await observeArchive(dataDir, 'pg'))!;
        // From now on nothing past the hole is restorable.
        expect(after.restorable.map((r) => r.gid).filter((g) => g > gone.b.b)).toEqual([]);
        expect(chainGaps(after.base, sortDiffs(after.diffs))).toEqual([{ after: gone.b.b, before: gone.e.b }]);
        return { after: gone.b.b, before: gone.e.b, newestBefore: Math.max(...diffs.map((x) => x.e.b)) };
      }, { volume: 'pg', operation: 'test-hole', timeoutMs: 30_000 }), { timeoutMs: 30_000, logs: d.logs });

    // The daemon sees the hole and repairs it with a hash backup (its log says so), before any snapshot.
    const isRepair = (l: Record<string, unknown>) => /:hash-backup/.test(String(l.action ?? ''));
    const doneAt = await waitFor('the repair hash backup done', () => {
      const i = d.logs.findIndex((l, n) => n >= holeAt && isRepair(l) && l.status === 'done');
      return i >= 0 ? i + 1 : null;
    }, { timeoutMs: 40_000, logs: d.logs });
    const started = d.logs.slice(holeAt, doneAt).filter((l) => / started \(/.test(String(l.msg ?? '')));
    const repairStart = started.find(isRepair);
    expect(repairStart?.params).toMatchObject({ repairAfterGid: hole.after });
    expect(String(repairStart?.msg)).toContain(`missing diffs between gid ${hole.after} and gid ${hole.before}`);
    // No snapshot was started between the hole and the end of its repair (it would only extend the unreachable part).
    expect(started.filter((l) => /:snapshot/.test(String(l.action ?? '')))).toEqual([]);
    const healed = await waitFor('a chain without a hole', async () => {
      const a = (await observeArchive(dataDir, 'pg'))!;
      return chainGaps(a.base, sortDiffs(a.diffs)).length === 0 && (a.restorable.at(-1)?.gid ?? 0) > hole.newestBefore ? a : null;
    }, { timeoutMs: 20_000, logs: d.logs });
    // One more write after the repair: the next snapshot continues the repaired chain.
    const lastBefore = await write();
    const final = await waitFor('a snapshot after the repair', async () => {
      const a = (await observeArchive(dataDir, 'pg'))!;
      return (a.restorable.at(-1)?.gid ?? 0) > lastBefore ? a : null;
    }, { timeoutMs: 40_000, logs: d.logs });
    expect(healed.restorable.length).toBeGreaterThan(0);

    // Gids inside the hole stay unrestorable; every other restorable gid holds the source's content then.
    const gids = final.restorable.map((r) => r.gid);
    expect(gids.filter((g) => g > hole.after && g < hole.before)).toEqual([]);
    expect(gids.some((g) => g > hole.newestBefore)).toBe(true);
    const out = join(repo.dir, 'check.img');
    let checked = 0;
    for (const gid of gids) {
      await restore(dataDir, 'pg', gid, { path: out, mode: 'copy' });
      expect({ gid, sha1: sha1(out) }).toEqual({ gid, sha1: contentAt(gid) });
      await deleteRestored(dataDir, 'pg', gid, { path: out });
      checked++;
    }
    expect(checked).toBe(gids.length);

    // The newest diff goes: no later diff shows a gap, but the chain now ends short of the gid the
    // storage took (it advances only after the archive took the diff). The daemon repairs that too.
    const lost = await waitFor('a moment with no action on the archive', () =>
      withLock(paths.lock, async () => {
        const a = (await observeArchive(dataDir, 'pg'))!;
        const newestDiff = sortDiffs(a.diffs).at(-1);
        if (a.busy || !newestDiff) return null;
        await rm(join(paths.dir, newestDiff.file));
        holeAt = d.logs.length;
        return { after: newestDiff.b.b, before: newestDiff.e.b };
      }, { volume: 'pg', operation: 'test-lost-tail', timeoutMs: 30_000 }), { timeoutMs: 30_000, logs: d.logs });
    const tailDoneAt = await waitFor('the repair of the lost newest diff done', () => {
      const i = d.logs.findIndex((l, n) => n >= holeAt && isRepair(l) && l.status === 'done');
      return i >= 0 ? i + 1 : null;
    }, { timeoutMs: 40_000, logs: d.logs });
    const tailStarted = d.logs.slice(holeAt, tailDoneAt).filter((l) => / started \(/.test(String(l.msg ?? '')));
    const tailRepair = tailStarted.find(isRepair);
    expect(tailRepair?.params).toMatchObject({ repairAfterGid: lost.after });
    expect(String(tailRepair?.msg)).toContain(`chain ends at gid ${lost.after}, short of gid ${lost.before}`);
    expect(tailStarted.filter((l) => /:snapshot/.test(String(l.action ?? '')))).toEqual([]);
    const repaired = await waitFor('the chain past the lost diff', async () => {
      const a = (await observeArchive(dataDir, 'pg'))!;
      return (a.restorable.at(-1)?.gid ?? 0) > lost.before ? a : null;
    }, { timeoutMs: 20_000, logs: d.logs });
    for (const gid of repaired.restorable.map((r) => r.gid).filter((g) => g > lost.before)) {
      await restore(dataDir, 'pg', gid, { path: out, mode: 'copy' });
      expect({ gid, sha1: sha1(out) }).toEqual({ gid, sha1: contentAt(gid) });
      await deleteRestored(dataDir, 'pg', gid, { path: out });
    }
  });
});
