/**
 * A hole in a remote archive's chain, repaired across hosts (issue 15.8 with the wire of issue 11):
 * db-1 (127.0.0.51) stores a scan-captured volume whose primary archive is ar-1 (127.0.0.52), each
 * host with its own `walbctl daemon`. The test breaks ar-1's chain three times while both run, each time
 * under ar-1's archive lock (no action runs then):
 *   1. it deletes a diff from the middle of the chain: ar-1's status answer states the hole, db-1
 *      plans the repair (a hash backup over the wire) before any snapshot and runs it;
 *   2. it flips one byte inside a diff: ar-1's check finds it by its checksums and sets it aside,
 *      which is a hole too, and db-1 repairs it the same way, naming the diff ar-1 set aside;
 *   3. it deletes the newest diff: no later diff shows a gap, but ar-1's chain now ends before the gid
 *      it had acknowledged holding, and db-1 repairs that as well.
 * After each repair the chain has no hole; at the end every gid ar-1 can restore holds what the
 * source held at that snapshot (sha1), and the gids inside the holes are not restorable.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { chainHealth } from '../../common/diff-chain.js';
import { archivePaths, deleteRestored, observeArchive, restore, setAsideDir } from '../../native/lib/archive/index.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { showWdiff } from '../../native/lib/wdiff.js';
import { observeStorage, storagePaths } from '../../native/lib/storage/index.js';
import { sortDiffs } from '../../reconciler/policy/diff-chain.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, hasOpenssl, makeHosts, startHostDaemon, stopDaemons } from './fleet-harness.js';

const SIZE = 4 << 20;
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

const volumeYaml = `volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
    proxies: []
    archives: [ar-1]
    snapshots:
      every: 2s
    retention:
      keepLast: 200
    merge:
      interval: 1h
      maxNr: 100
`;

const daemons: RunningDaemon[] = [];
let root = '';
afterAll(async () => {
  await stopDaemons(daemons);
  if (process.env.FLEET_LOGS) writeFileSync(process.env.FLEET_LOGS, daemons.flatMap((d) => d.logs).map((l) => JSON.stringify(l)).join('\n'));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('A hole in a remote archive’s chain, repaired by the storage host', () => {
  it('a deleted diff, a corrupted one and a deleted newest diff on ar-1 are each repaired by a hash backup from db-1, and every restorable gid matches the source', { timeout: 300_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-remote-repair-'));
    const [db1, ar1] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.51' },
      { name: 'ar-1', address: '127.0.0.52' },
    ]);
    const device = join(db1!.dataDir, 'volumes', 'pg.img');
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    const writes: { after: number; sha: string }[] = [{ after: -1, sha: sha1(device) }];
    const contentAt = (gid: number) => writes.filter((w) => w.after < gid).at(-1)!.sha;
    const repo = makeRepo();
    repo.commit('db-1 stores pg, ar-1 archives it', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volumeYaml),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
    });
    for (const h of [ar1!, db1!]) daemons.push(startHostDaemon(repo.dir, h.name));
    const db = daemons[1]!;
    const logs: Record<string, unknown>[] = [];
    const timer = setInterval(() => logs.splice(0, logs.length, ...daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20)), 200);
    timer.unref();

    const write = async () =>
      withLock(storagePaths(db1!.dataDir, 'pg').lock, async () => {
        const latest = (await observeStorage(db1!.dataDir, 'pg'))!.latestGid ?? 0;
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
    const archived = () => observeArchive(ar1!.dataDir, 'pg');
    const newest = async () => (await archived())?.restorable.at(-1)?.gid ?? 0;
    const writeAndWait = async (what: string) => {
      const before = await write();
      await waitFor(what, async () => (await newest()) > before, { timeoutMs: 60_000, logs });
    };

    await waitFor('ar-1 to hold pg', async () => (await archived())?.state === 'Archived' && (await newest()) > 0, { timeoutMs: 90_000, logs });
    for (let round = 0; round < 3; round++) await writeAndWait(`a snapshot on ar-1 after write ${round + 1}`);

    const paths = archivePaths(ar1!.dataDir, 'pg');
    const isRepair = (l: Record<string, unknown>) => /:hash-backup:repair/.test(String(l.action ?? ''));
    /** Waits for db-1's repair after log line `from`; returns its start line and the lines it spans. */
    const repairAfter = async (from: number, what: string) => {
      const doneAt = await waitFor(what, () => {
        const i = db.logs.findIndex((l, n) => n >= from && isRepair(l) && l.status === 'done');
        return i >= 0 ? i + 1 : null;
      }, { timeoutMs: 90_000, logs });
      const started = db.logs.slice(from, doneAt).filter((l) => / started \(/.test(String(l.msg ?? '')));
      return { start: started.find(isRepair), started };
    };
    const healedPast = (gid: number) =>
      waitFor(`ar-1's chain without a hole and past gid ${gid}`, async () => {
        const a = (await archived())!;
        return chainHealth(a.base, a.diffs, a.setAside).hole === null && (a.restorable.at(-1)?.gid ?? 0) > gid ? a : null;
      }, { timeoutMs: 30_000, logs });

    // 1. A diff deleted from the middle of ar-1's chain.
    let deletedAt = 0;
    const deleted = await waitFor('a moment with no action on ar-1', () =>
      withLock(paths.lock, async () => {
        const a = (await archived())!;
        const diffs = sortDiffs(a.diffs);
        if (a.busy || diffs.length < 3) return null;
        const gone = diffs[1]!;
        await rm(join(paths.dir, gone.file));
        deletedAt = db.logs.length;
        const after = (await archived())!;
        expect(after.restorable.map((r) => r.gid).filter((g) => g > gone.b.b)).toEqual([]);
        return { after: gone.b.b, before: gone.e.b, newestBefore: Math.max(...diffs.map((x) => x.e.b)) };
      }, { volume: 'pg', operation: 'test-hole', timeoutMs: 30_000 }), { timeoutMs: 30_000, logs });

    const first = await repairAfter(deletedAt, 'db-1 to repair the deleted diff');
    expect(first.start?.params).toMatchObject({ archive: 'ar-1', repairAfterGid: deleted.after });
    expect(String(first.start?.msg)).toContain(`ar-1 answered that its archive is missing diffs between gid ${deleted.after} and gid ${deleted.before}`);
    // No snapshot went first: it would only have extended what ar-1 cannot reach.
    expect(first.started.filter((l) => /:snapshot/.test(String(l.action ?? '')))).toEqual([]);
    await healedPast(deleted.newestBefore);
    await writeAndWait('a snapshot on ar-1 after the first repair');
    await writeAndWait('a second snapshot on ar-1 after the first repair');

    // 2. One byte flipped inside a diff on ar-1's chain (not its newest): ar-1's check finds it.
    let flippedAt = 0;
    const flipped = await waitFor('a moment with no action on ar-1', () =>
      withLock(paths.lock, async () => {
        const a = (await archived())!;
        if (a.busy) return null;
        const top = a.restorable.at(-1)!.gid;
        const reachable = new Set(a.restorable.map((r) => r.gid));
        const victim = sortDiffs(a.diffs).filter((d) => d.e.b < top && reachable.has(d.b.b) && d.b.b > deleted.newestBefore).at(-1);
        if (!victim) return null;
        const path = join(paths.dir, victim.file);
        const record = (await showWdiff(path)).records.find((x) => x.dataSize > 2);
        if (!record) return null;
        const h = await open(path, 'r+');
        try {
          const byte = Buffer.alloc(1);
          await h.read(byte, 0, 1, record.dataOffset + 1);
          byte[0]! ^= 0xff;
          await h.write(byte, 0, 1, record.dataOffset + 1);
          await h.sync();
        } finally {
          await h.close();
        }
        flippedAt = db.logs.length;
        return { file: victim.file, after: victim.b.b, before: victim.e.b, newestBefore: top };
      }, { volume: 'pg', operation: 'test-flip', timeoutMs: 30_000 }), { timeoutMs: 60_000, logs });

    const second = await repairAfter(flippedAt, 'db-1 to repair the corrupted diff');
    expect(second.start?.params).toMatchObject({ archive: 'ar-1', repairAfterGid: flipped.after });
    expect(String(second.start?.msg)).toContain(`ar-1 answered that its archive is missing diffs between gid ${flipped.after} and gid ${flipped.before}`);
    expect(String(second.start?.msg)).toContain(`its check set aside ${flipped.file} as corrupt`);
    // Set aside, not deleted, and recorded.
    expect(existsSync(join(paths.dir, flipped.file))).toBe(false);
    expect(existsSync(join(setAsideDir(paths), flipped.file))).toBe(true);
    const aside = (await archived())!.setAside ?? [];
    expect(aside.map((x) => x.file)).toEqual([flipped.file]);
    // Until ar-1's check found the flip, db-1 snapshotted as usual; once it was set aside, at most the
    // snapshot of a plan already made went before the repair (db-1 had not asked ar-1 since).
    const setAsideAt = Date.parse(aside[0]!.at);
    const late = second.started.filter((l) => /:snapshot/.test(String(l.action ?? '')) && Date.parse(String(l.time)) > setAsideAt);
    expect(late.length).toBeLessThanOrEqual(1);
    await healedPast(flipped.newestBefore);

    await writeAndWait('a snapshot on ar-1 after the second repair');

    // 3. The newest diff deleted on ar-1: no later diff shows the gap, but ar-1's chain now ends before
    //    the gid it had acknowledged (db-1's outbox folded up to it), and db-1 repairs that too.
    let tailAt = 0;
    const tail = await waitFor('a moment with no action on ar-1', () =>
      withLock(paths.lock, async () => {
        const a = (await archived())!;
        const top = sortDiffs(a.diffs).filter((d) => d.e.b === a.restorable.at(-1)?.gid).at(-1);
        if (a.busy || !top || top.b.b <= flipped.newestBefore) return null;
        await rm(join(paths.dir, top.file));
        tailAt = db.logs.length;
        return { after: top.b.b, before: top.e.b };
      }, { volume: 'pg', operation: 'test-tail', timeoutMs: 30_000 }), { timeoutMs: 30_000, logs });
    const third = await repairAfter(tailAt, 'db-1 to repair the lost newest diff');
    expect(third.start?.params).toMatchObject({ archive: 'ar-1', repairAfterGid: tail.after });
    expect(String(third.start?.msg)).toContain(`ar-1 answered that its chain runs from the base to gid ${tail.after}, short of gid`);
    await healedPast(tail.before);

    // Snapshots go on after the repairs; then every restorable gid holds the source's content.
    await writeAndWait('a snapshot on ar-1 after the third repair');
    const final = (await archived())!;
    const gids = final.restorable.map((r) => r.gid);
    expect(gids.filter((g) => g > deleted.after && g < deleted.before)).toEqual([]);
    expect(gids.filter((g) => g > flipped.after && g < flipped.before)).toEqual([]);
    expect(gids.filter((g) => g > tail.after && g <= tail.before)).toEqual([]);
    expect(gids.some((g) => g > flipped.newestBefore)).toBe(true);
    const out = join(root, 'check.img');
    let checked = 0;
    for (const gid of gids) {
      await restore(ar1!.dataDir, 'pg', gid, { path: out, mode: 'copy' });
      expect({ gid, sha1: sha1(out) }).toEqual({ gid, sha1: contentAt(gid) });
      await deleteRestored(ar1!.dataDir, 'pg', gid, { path: out });
      checked++;
    }
    expect(checked).toBe(gids.length);
    expect(checked).toBeGreaterThanOrEqual(4);
    clearInterval(timer);
  });
});
