/**
 * Replication across a fleet of daemons sharing one repository, each its own `walbctl daemon` process
 * on its own loopback address over mutual TLS: db-1 backs pg up to ar-1, which replicates to ar-2 and
 * ar-3 (fan-out), and ar-2 onward to ar-4 (a chain). The cases run in order on the same daemons:
 *  1. every archive catches up and every restorable gid on each restores to the source's sha1;
 *  2. while ar-2 is down, ar-1 keeps the diffs ar-2 needs (retention merges only past its cursor, the
 *     cursor's snapshot stays restorable) and keeps feeding ar-3; ar-2 returns and catches up by a
 *     diff replication;
 *  3. a failover commit makes ar-2 the primary: ar-1 hands over and releases its cursor, db-1 sends to
 *     ar-2, ar-2 replicates to ar-1 and ar-4, ar-1 onward to ar-3; nothing is lost or duplicated;
 *  4. with a replicationLimit, a target down past it is let go: retention on its source proceeds
 *     across its cursor, and the next replication is a hash replication that converges.
 * Every pair here is async (db-1 captures by scan, with no proxy); the shape with ar-3 in
 * sync — ar-1 async to ar-2 and sync to ar-3, ar-2 onward to ar-4 — runs in replication-sync.test.ts,
 * where a proxy can take the sync target into its forwarding.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { archivePaths, deleteRestored, observeArchive, restore } from '../../native/lib/archive/index.js';
import { BusyError } from '../../native/lib/archive/errors.js';
import { applySnap, canApply, type GidSnap } from '../../native/lib/archive/gid.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { observeStorage, storagePaths } from '../../native/lib/storage/index.js';
import { makeRepo, waitFor, whenNotBusy, type Repo, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, makeHosts, startHostDaemon, stopDaemons, type FleetHost } from './fleet-harness.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const SIZE = 4 << 20;
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

/** The volume as declared: `primary` receives db-1's snapshots, `pairs` are the replication pairs. */
function volumeYaml(primary: string, pairs: [string, string][], extra = ''): string {
  const archives = ['ar-1', 'ar-2', 'ar-3', 'ar-4'].map((h) => (h === primary ? `      - ${h}\n` : `      - { host: ${h}, primary: false }\n`)).join('');
  const replication = pairs.map(([from, to]) => `      - { from: ${from}, to: ${to}, every: 2s }\n`).join('');
  return `volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
    proxies: []
    archives:
${archives}    snapshots:
      every: 2s
    retention:
      keepLast: 2
    apply:
      olderThan: 8s
${extra}    replication:
${replication}`;
}

const daemons = new Map<string, RunningDaemon>();
let root = '';
let hosts: Record<string, FleetHost> = {};
let repo: Repo;
let device = '';
/** The device's sha1 after each write round, with the newest gid db-1 had taken before it. */
const writes: { after: number; sha: string }[] = [];
let primary = 'ar-1';

const allLogs = () => [...daemons.values()].flatMap((d) => d.logs).filter((l) => l.level !== 20);
/** waitFor's log tail, read when it times out rather than when the wait starts. */
const lazyLogs = { slice: (n: number) => allLogs().slice(n) } as unknown as unknown[];
const newestOn = async (h: string): Promise<number> => (await observeArchive(hosts[h]!.dataDir, 'pg'))?.restorable.at(-1)?.gid ?? -1;
const waitUntil = <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000) => waitFor(what, probe, { timeoutMs, logs: lazyLogs });

function commitTree(message: string, volumes: string): void {
  repo.commit(message, {
    'hosts/db-1.yaml': fleetHostYaml(hosts['db-1']!, ['storage'], volumes),
    ...Object.fromEntries(['ar-1', 'ar-2', 'ar-3', 'ar-4'].map((h) => [`hosts/${h}.yaml`, fleetHostYaml(hosts[h]!, ['archive'])])),
  });
}

/** Random writes on db-1's device under its lock, then waits for a snapshot after them on the primary. */
async function writeRound(): Promise<number> {
  await withLock(storagePaths(hosts['db-1']!.dataDir, 'pg').lock, async () => {
    const latest = (await observeStorage(hosts['db-1']!.dataDir, 'pg'))!.latestGid ?? 0;
    const h = await open(device, 'r+');
    try {
      for (let i = 0; i < 8; i++) await h.write(randomBytes(4096 * (1 + (i % 4))), 0, undefined, 4096 * Math.floor(Math.random() * (SIZE / 4096 - 4)));
      await h.sync();
    } finally {
      await h.close();
    }
    writes.push({ after: latest, sha: sha1(device) });
  }, { volume: 'pg', operation: 'test-write', timeoutMs: 30_000 });
  const after = writes.at(-1)!.after;
  return waitUntil(`a snapshot after the write to reach ${primary}`, async () => {
    const g = await newestOn(primary);
    return g > after ? g : null;
  });
}

/**
 * Every restorable gid of `h` restores to the device's sha1 when that gid's snapshot was taken. The
 * host's daemon keeps running: a restore that meets its apply or merge is tried again, and a gid its
 * retention merged away meanwhile is skipped (it is no longer restorable). Returns the gids checked.
 */
async function everyGidRestores(h: string): Promise<number[]> {
  const dataDir = hosts[h]!.dataDir;
  const restorable = (await observeArchive(dataDir, 'pg'))!.restorable;
  const out = join(root, `restored-${h}.img`);
  const checked: number[] = [];
  for (const r of restorable) {
    const expected = writes.filter((w) => w.after < r.gid).at(-1)!.sha;
    for (let attempt = 0; ; attempt++) {
      try {
        await restore(dataDir, 'pg', r.gid, { path: out, mode: 'copy' });
      } catch (error) {
        const still = (await observeArchive(dataDir, 'pg'))!.restorable.some((x) => x.gid === r.gid);
        if (!still) break;
        if (attempt >= 40 || !(error instanceof BusyError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      expect({ host: h, gid: r.gid, sha1: sha1(out) }).toEqual({ host: h, gid: r.gid, sha1: expected });
      await whenNotBusy(() => deleteRestored(dataDir, 'pg', r.gid, { path: out }));
      rmSync(out, { force: true });
      checked.push(r.gid);
      break;
    }
  }
  return checked;
}

/** Problems with `h`'s chain: a diff held twice, or one that does not continue from the base. */
async function chainProblems(h: string): Promise<string[]> {
  // Under the archive's lock: a merge renames its output into place before it removes its inputs
  // (meta.merging makes that safe), so a listing taken between the two shows both.
  const a = (await withLock(archivePaths(hosts[h]!.dataDir, 'pg').lock, () => observeArchive(hosts[h]!.dataDir, 'pg'), { volume: 'pg', operation: 'test: chain check', timeoutMs: 120_000 }))!;
  const problems: string[] = [];
  const seen = new Set<string>();
  // The walk starts at the base's image before any apply that runs now (`<B-->E>`: its diffs are
  // still listed, and are applied from B), and skips diffs that end at or before B: an apply's
  // inputs, which it removes right after its commit (its lock is its registered action, not the
  // archive's lock, so a check may fall between). Starting at E instead flagged the diffs of an
  // apply in progress (2 runs in 10, 2026-12-06).
  let at: GidSnap = a.base.b;
  for (const d of a.diffs.filter((x) => x.e.b > a.base.b.b)) {
    const key = `${d.b.b}-${d.e.b}`;
    if (seen.has(key)) problems.push(`${h}: diff ${key} twice`);
    seen.add(key);
    if (!canApply(at, d)) problems.push(`${h}: diff ${key} does not continue the chain at ${at.b},${at.e}`);
    else at = applySnap(at, d);
  }
  return problems;
}

function start(h: string): void {
  daemons.set(h, startHostDaemon(repo.dir, h));
}

afterAll(async () => {
  await stopDaemons([...daemons.values()]);
  if (process.env.REPL_LOGS) writeFileSync(process.env.REPL_LOGS, allLogs().map((l) => JSON.stringify(l)).join('\n'));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('Replication across a fleet: fan-out, a chain, a target down, a failover', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-repl-fleet-'));
    const made = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.41' },
      { name: 'ar-1', address: '127.0.0.42' },
      { name: 'ar-2', address: '127.0.0.43' },
      { name: 'ar-3', address: '127.0.0.44' },
      { name: 'ar-4', address: '127.0.0.45' },
    ]);
    hosts = Object.fromEntries(made.map((h) => [h.name, h]));
    device = join(hosts['db-1']!.dataDir, 'volumes', 'pg.img');
    mkdirSync(join(hosts['db-1']!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    writes.push({ after: -1, sha: sha1(device) });
    repo = makeRepo();
    commitTree('db-1 stores pg; ar-1 archives it and replicates to ar-2 and ar-3, ar-2 onward to ar-4', volumeYaml('ar-1', [['ar-1', 'ar-2'], ['ar-1', 'ar-3'], ['ar-2', 'ar-4']]));
    for (const h of ['ar-4', 'ar-3', 'ar-2', 'ar-1', 'db-1']) start(h);
  }, 60_000);

  it('fans out from ar-1 to ar-2 and ar-3 and chains on to ar-4: every restorable gid on every archive matches the source', { timeout: 150_000 }, async () => {
    await waitUntil('ar-1 to hold pg', async () => (await observeArchive(hosts['ar-1']!.dataDir, 'pg'))?.state === 'Archived');
    await writeRound();
    const target = await writeRound();
    for (const h of ['ar-2', 'ar-3', 'ar-4']) await waitUntil(`${h} to reach gid ${target}`, async () => (await newestOn(h)) >= target, 90_000);
    for (const h of ['ar-1', 'ar-2', 'ar-3', 'ar-4']) {
      expect(await chainProblems(h)).toEqual([]);
      expect((await everyGidRestores(h)).length).toBeGreaterThanOrEqual(1);
    }
    const cursors = (await observeArchive(hosts['ar-1']!.dataDir, 'pg'))!.replicas;
    expect(Object.keys(cursors).sort()).toEqual(['ar-2', 'ar-3']);
    expect(Object.keys((await observeArchive(hosts['ar-2']!.dataDir, 'pg'))!.replicas)).toEqual(['ar-4']);
  });

  it('keeps the diffs ar-2 needs while it is down, feeds ar-3 meanwhile, and catches ar-2 up by a diff replication when it returns', { timeout: 180_000 }, async () => {
    const ar1 = hosts['ar-1']!.dataDir;
    // Stopped at a quiet moment: ar-2 holds exactly what ar-1 confirmed. Stopped while a transfer was
    // in flight, ar-2 could hold a diff ar-1 had not confirmed yet; retention may then merge across
    // that gid (it keeps the cursor's), and the catch-up starts from the merged diff: correct, but
    // not what this test shows (CI, 2026-12-06: 1 run in 3).
    await waitUntil('ar-2 to hold exactly what ar-1 confirmed', async () => {
      const c = (await observeArchive(ar1, 'pg'))!.replicas['ar-2']?.gid;
      const n2 = await newestOn('ar-2');
      return c !== undefined && c === n2 && n2 === (await newestOn('ar-1'));
    }, 60_000);
    const d = daemons.get('ar-2')!;
    d.child.kill('SIGTERM');
    await d.exited;
    const cursor = (await observeArchive(ar1, 'pg'))!.replicas['ar-2']!.gid;
    let newest = 0;
    for (let i = 0; i < 4; i++) newest = await writeRound();
    await waitUntil(`ar-3 to reach gid ${newest} while ar-2 is down`, async () => (await newestOn('ar-3')) >= newest, 90_000);
    // Retention (keepLast: 2, plus the snapshot shared with ar-3) merges away what it may — more snapshots
    // than that were taken after ar-2's cursor — but never across the cursor, whose snapshot it keeps.
    const held = await waitUntil('retention on ar-1 to act past ar-2\'s cursor', async () => {
      const a = (await observeArchive(ar1, 'pg'))!;
      const after = a.restorable.filter((r) => r.gid > cursor);
      return after.length <= 3 && a.restorable.some((r) => r.gid === cursor) ? a : null;
    }, 60_000);
    expect(newest - cursor).toBeGreaterThan(3);
    expect((held.base.e ?? held.base.b).b).toBeLessThanOrEqual(cursor);
    expect(held.diffs.some((x) => x.b.b === cursor) || held.base.b.b === cursor).toBe(true);
    expect(held.replicas['ar-2']!.gid).toBe(cursor);

    start('ar-2');
    const now = await newestOn('ar-1');
    await waitUntil(`ar-2 to catch up to gid ${now}`, async () => (await newestOn('ar-2')) >= now, 90_000);
    // ar-1 confirms the cursor after ar-2 acknowledged: the catch-up was a diff replication.
    const back = await waitUntil('ar-1 to confirm ar-2\'s cursor', async () => {
      const c = (await observeArchive(ar1, 'pg'))!.replicas['ar-2']!;
      return c.gid >= now ? c : null;
    }, 30_000);
    expect(back.lastKind).toBe('diff');
    await waitUntil('ar-4 to follow ar-2', async () => (await newestOn('ar-4')) >= now, 90_000);
    for (const h of ['ar-1', 'ar-2', 'ar-4']) {
      expect(await chainProblems(h)).toEqual([]);
      await everyGidRestores(h);
    }
  });

  it('converges on a failover commit: ar-2 becomes the primary, ar-1 hands over and follows it, nothing lost or duplicated', { timeout: 240_000 }, async () => {
    // ar-2 misses the newest snapshot (its daemon is down for one write), so ar-1 has something to hand over.
    const d = daemons.get('ar-2')!;
    d.child.kill('SIGTERM');
    await d.exited;
    const before = await writeRound();
    expect(await newestOn('ar-2')).toBeLessThan(before);
    commitTree('failover: ar-2 is the primary archive of pg; ar-2 replicates to ar-1 and ar-4, ar-1 onward to ar-3', volumeYaml('ar-2', [['ar-2', 'ar-1'], ['ar-2', 'ar-4'], ['ar-1', 'ar-3']]));
    primary = 'ar-2';
    start('ar-2');
    // The cursor leaves ar-1's archive before the daemon logs the action done (and the line crosses a
    // pipe to this process), so the wait takes both: the release was the release-replica action's.
    const released = () => allLogs().some((l) => l.host === 'ar-1' && String(l.msg).startsWith('release-replica done'));
    await waitUntil('ar-1 to hand over to ar-2 and release its cursor', async () => {
      const a = (await observeArchive(hosts['ar-1']!.dataDir, 'pg'))!;
      return !a.replicas['ar-2'] && released() && (await newestOn('ar-2')) >= before;
    }, 90_000);
    // Whichever lands first — ar-1's replication still retrying under the old tree, or its hand-over
    // under the new one — ar-2 holds ar-1's newest gid before ar-1 lets the cursor go; db-1's diffs
    // that ar-2 cannot continue yet are refused too-new and sent again.
    let newest = 0;
    for (let i = 0; i < 2; i++) newest = await writeRound();
    for (const h of ['ar-1', 'ar-3', 'ar-4']) await waitUntil(`${h} to reach gid ${newest} from the new primary`, async () => (await newestOn(h)) >= newest, 90_000);
    expect(Object.keys((await observeArchive(hosts['ar-2']!.dataDir, 'pg'))!.replicas).sort()).toEqual(['ar-1', 'ar-4']);
    for (const h of ['ar-1', 'ar-2', 'ar-3', 'ar-4']) {
      expect(await chainProblems(h)).toEqual([]);
      await everyGidRestores(h);
    }
  });

  it('lets a target go past the replicationLimit: retention applies past its cursor, and a hash replication brings it back', { timeout: 240_000 }, async () => {
    const pairs: [string, string][] = [['ar-2', 'ar-1'], ['ar-2', 'ar-4'], ['ar-1', 'ar-3']];
    commitTree('pg: a replication target may lag 3 gids before it is let go', volumeYaml('ar-2', pairs, '    replicationLimit:\n      gids: 3\n'));
    const ar1 = hosts['ar-1']!.dataDir;
    const d = daemons.get('ar-3')!;
    d.child.kill('SIGTERM');
    await d.exited;
    const cursor = (await observeArchive(ar1, 'pg'))!.replicas['ar-3']!.gid;
    let newest = 0;
    for (let i = 0; i < 4; i++) newest = await writeRound();
    await waitUntil(`ar-1 to reach gid ${newest}`, async () => (await newestOn('ar-1')) >= newest, 90_000);
    // Let go: the base is applied past ar-3's cursor, so no diff of ar-1 applies there any more (a
    // merge across it would still leave a diff that does: that catch-up is a diff replication).
    await waitUntil(`retention on ar-1 to apply past ar-3's cursor (gid ${cursor})`, async () => {
      const a = (await observeArchive(ar1, 'pg'))!;
      return (a.base.e ?? a.base.b).b > cursor ? a : null;
    }, 90_000);
    start('ar-3');
    const now = await newestOn('ar-1');
    const back = await waitUntil('ar-1 to bring ar-3 back', async () => {
      const c = (await observeArchive(ar1, 'pg'))!.replicas['ar-3'];
      return c && c.gid >= now ? c : null;
    }, 90_000);
    expect(back.lastKind).toBe('hash');
    expect(await newestOn('ar-3')).toBeGreaterThanOrEqual(now);
    expect(await chainProblems('ar-3')).toEqual([]);
    await everyGidRestores('ar-3');
  });
});
