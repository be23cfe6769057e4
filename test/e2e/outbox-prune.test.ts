/**
 * The outbox stays bounded, and never loses what the archive has not acknowledged. db-1 (scan) sends
 * pg to ar-1 over the wire, a snapshot a second, while the test kills one of the two daemons with
 * SIGKILL at a random moment, again and again (between a send and its acknowledgement, sometimes):
 * after each kill the outbox's base is never past the newest gid ar-1 holds; afterwards every gid the
 * storage took reaches ar-1 and restores to the bytes pg held then, and the outbox holds a handful of
 * diffs however many snapshots were taken (the rest folded into its base).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { deleteRestored, observeArchive, restore } from '../../native/lib/archive/index.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { observeStorage, storageMeta, storagePaths } from '../../native/lib/storage/index.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, hasOpenssl, makeHosts, startHostDaemon, stopDaemons } from './fleet-harness.js';

const SIZE = 2 << 20;
const TRIALS = Number(process.env.OUTBOX_TRIALS ?? 8);
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');
const newestOf = (a: Awaited<ReturnType<typeof observeArchive>>): number => a?.restorable.at(-1)?.gid ?? -1;

const daemons: RunningDaemon[] = [];
let root = '';
afterAll(async () => {
  await stopDaemons(daemons);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('The outbox of a storage host sending to another host', () => {
  it('folds what the archive acknowledged into its base, keeps what it did not across kill -9 of either side, and loses nothing', { timeout: 240_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-outbox-'));
    const [db1, ar1] = await makeHosts(root, [{ name: 'db-1', address: '127.0.0.31' }, { name: 'ar-1', address: '127.0.0.32' }]);
    const device = join(db1!.dataDir, 'volumes', 'pg.img');
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    const writes: { after: number; sha: string }[] = [{ after: -1, sha: sha1(device) }];
    const repo = makeRepo();
    repo.commit('db-1 sends pg to ar-1', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], 'volumes:\n  pg:\n    device:\n      path: volumes/pg.img\n      size: 2MiB\n    capture: scan\n    proxies: []\n    archives: [ar-1]\n    snapshots:\n      every: 1s\n    retention:\n      keepLast: 1000\n'),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
    });
    const running: Record<string, RunningDaemon> = {};
    const start = (h: string) => {
      const d = startHostDaemon(repo.dir, h);
      daemons.push(d);
      running[h] = d;
    };
    const logs = () => daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20);
    start('ar-1');
    start('db-1');
    const outbox = join(db1!.dataDir, 'outbox');
    await waitFor('ar-1 to hold pg', async () => newestOf(await observeArchive(ar1!.dataDir, 'pg')) >= 1, { timeoutMs: 60_000, logs: logs() });

    const counts = { trials: 0, killedSender: 0, killedReceiver: 0, checks: 0, failures: [] as string[] };
    for (let t = 0; t < TRIALS; t++) {
      const victim = t % 3 === 2 ? 'ar-1' : 'db-1';
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 2500)));
      running[victim]!.child.kill('SIGKILL');
      await running[victim]!.exited;
      counts.trials++;
      if (victim === 'db-1') counts.killedSender++;
      else counts.killedReceiver++;
      // ar-1 is the victim or is idle towards a dead sender: what it holds is what it acknowledged at most.
      const ar = newestOf(await observeArchive(ar1!.dataDir, 'pg'));
      const staged = await observeArchive(outbox, 'pg');
      const folded = staged ? Math.max(staged.base.b.b, staged.base.e?.b ?? 0) : 0;
      counts.checks++;
      if (folded > 0 && folded > ar) counts.failures.push(`trial ${t} (${victim} killed): the outbox folded to gid ${folded}, ar-1 holds only up to ${ar}`);
      if (victim === 'db-1') {
        // A write while the sender is down: the next snapshot carries it.
        await withLock(storagePaths(db1!.dataDir, 'pg').lock, async () => {
          // A snapshot killed after its commit point (meta.pending) rolls forward on restart without
          // this write: its gid counts as taken.
          const m = (await storageMeta(db1!.dataDir, 'pg'))!;
          const p = m.pending;
          const after = Math.max(m.latestGid ?? 0, p ? ('gid' in p ? p.gid : p.snap.e) : 0);
          const h = await open(device, 'r+');
          try {
            await h.write(randomBytes(4096), 0, undefined, 4096 * Math.floor(Math.random() * (SIZE / 4096)));
            await h.sync();
          } finally {
            await h.close();
          }
          writes.push({ after, sha: sha1(device) });
        }, { volume: 'pg', operation: 'test-write', timeoutMs: 30_000 });
      }
      start(victim);
    }
    console.log(`outbox campaign: ${counts.trials} trials (${counts.killedSender} sender, ${counts.killedReceiver} receiver kill -9), ${counts.checks} checks, ${counts.failures.length} failures`);
    expect(counts.failures).toEqual([]);

    // Everything the storage took reaches ar-1, in order, and restores to what pg held; a dozen
    // snapshots at least, so that an outbox that kept them would show it.
    const enough = Math.max(12, TRIALS);
    await waitFor(`db-1 to have taken ${enough} snapshots`, async () => ((await observeStorage(db1!.dataDir, 'pg'))?.latestGid ?? 0) >= enough, { timeoutMs: 60_000 + 1000 * enough, logs: logs() });
    const latest = (await observeStorage(db1!.dataDir, 'pg'))!.latestGid!;
    await waitFor(`ar-1 to hold every gid db-1 took (to ${latest})`, async () => newestOf(await observeArchive(ar1!.dataDir, 'pg')) >= latest, { timeoutMs: 60_000, logs: logs() });
    const restorable = (await observeArchive(ar1!.dataDir, 'pg'))!.restorable;
    const out = join(root, 'restored.img');
    for (const r of restorable) {
      await restore(ar1!.dataDir, 'pg', r.gid, { path: out, mode: 'copy' });
      expect({ gid: r.gid, sha1: sha1(out) }).toEqual({ gid: r.gid, sha1: writes.filter((w) => w.after < r.gid).at(-1)!.sha });
      await deleteRestored(ar1!.dataDir, 'pg', r.gid);
      rmSync(out, { force: true });
    }
    expect(restorable.at(-1)!.gid).toBeGreaterThanOrEqual(latest);
    expect(restorable.length).toBeGreaterThanOrEqual(10);

    // The outbox holds a handful of diffs, not one per snapshot: the acknowledged ones are in its base.
    await waitFor('the outbox to fold what ar-1 holds', async () => {
      const staged = await observeArchive(outbox, 'pg');
      return staged && staged.diffs.length <= 2 && staged.base.b.b >= latest - 2 ? staged : null;
    }, { timeoutMs: 30_000, logs: logs() });
    const files = readdirSync(join(outbox, 'archive', 'pg')).filter((f) => f.endsWith('.wdiff'));
    console.log(`outbox after ${latest} snapshots: ${files.length} diff file(s); ${restorable.length} restorable gid(s) on ar-1 restored, each equal to the source's sha1 at that gid`);
    expect(files.length).toBeLessThanOrEqual(2);
  });
});
