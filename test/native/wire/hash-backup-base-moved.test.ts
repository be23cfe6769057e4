/**
 * A hash backup races another source's diff into the same archive (a failover: the old primary's
 * replication still lands in the new primary while the storage repairs its chain there by hash).
 * The hash backup's diff is a compared one, made against the image the archive hashed; once the
 * archive has moved past that image it no longer applies, and installing it anyway leaves a chain
 * that forks (test/e2e/replication-fleet.test.ts saw `diff 14-15 does not continue the chain at
 * 18,18`). The archive refuses it (`base-moved`), the storage drops it with its index, and the next
 * hash backup starts from the archive's newest image — locally and over the wire.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addDiff, archivePaths, initArchiveVolume, observeArchive, parseDiffName, restorable, restore, type DiffName } from '../../../native/lib/archive/index.js';
import { ChainRelationError } from '../../../native/lib/archive/errors.js';
import { canApply, applySnap, type GidSnap } from '../../../native/lib/archive/gid.js';
import { fullBackup, hashBackup, initVolume, observeStorage, snapshot, storagePaths } from '../../../native/lib/storage/index.js';
import { localArchive, type ArchiveTarget } from '../../../native/lib/storage/archive-target.js';
import { remoteArchive, type WireServer } from '../../../native/lib/wire/index.js';
import { randomChange, rng, sha1 } from '../archive/_workload.js';
import { client, makePki, serve } from './_fleet.js';

const size = 8 << 20;

/**
 * `archive`, except that right after it has hashed its newest image for a hash backup, another
 * source lands the diff `held` there (the old primary's replication of a diff the storage sent it).
 */
function racing(archive: ArchiveTarget, archiveDir: string, held: { file: string; diff: DiffName }): ArchiveTarget {
  return {
    ...archive,
    async latestIndex(vol, meta, x) {
      const from = await archive.latestIndex(vol, meta, x);
      await addDiff(archiveDir, vol, { source: held.file, move: true, explicitEnd: false, diff: held.diff });
      return from;
    },
  };
}

/** The archive's chain, walked from its base: every diff continues it, none is left over. */
async function chainWalks(dir: string): Promise<string[]> {
  const a = (await observeArchive(dir, 'v'))!;
  let at: GidSnap = a.base.e ?? a.base.b;
  const problems: string[] = [];
  for (const d of a.diffs) {
    if (canApply(at, d)) at = applySnap(at, d);
    else problems.push(`${d.file} does not continue the chain at ${at.b},${at.e}`);
  }
  return problems;
}

for (const where of ['local', 'remote'] as const) {
  describe(`a hash backup whose ${where} archive moved on while it scanned`, () => {
    const dir = mkdtempSync(join(tmpdir(), `walbctl-base-moved-${where}-`));
    const db1 = join(dir, 'db-1');
    const ar1 = where === 'local' ? db1 : join(dir, 'ar-1');
    const device = join(dir, 'v.img');
    const sums = new Map<number, string>();
    let server: WireServer | null = null;
    let archive: ArchiveTarget;
    let held: { file: string; diff: DiffName };

    beforeAll(async () => {
      if (where === 'remote') {
        const pki = await makePki(['db-1', 'ar-1'], join(dir, 'pki'));
        let peer;
        ({ server, peer } = await serve(pki, 'ar-1', { address: '127.0.0.12', dataDir: ar1 }));
        archive = remoteArchive({ client: client(pki, 'db-1'), peer, dataDir: db1, retry: { attempts: 3, firstDelayMs: 100 } });
      } else {
        archive = localArchive(ar1);
      }
      await initVolume(db1, 'v', { devicePath: device, sizeBytes: size, bulkSize: 65536 });
      await initArchiveVolume(ar1, 'v');
      const r = rng(where === 'local' ? 31 : 32);
      for (let i = 0; i < 40; i++) randomChange(device, size, r);
      await fullBackup(db1, 'v', { archive });
      for (let k = 0; k < 2; k++) {
        for (let i = 0; i < 8; i++) randomChange(device, size, r);
        const s = await snapshot(db1, 'v', { archive });
        sums.set(s.gid, sha1(device));
      }
      // The archive loses its newest diff (the storage holds it acknowledged): the new primary of a
      // failover that missed the old one's last replication. The old primary still has it to send.
      const newest = (await observeArchive(ar1, 'v'))!.diffs.at(-1)!;
      held = { file: join(dir, 'held.wdiff'), diff: parseDiffName(newest.file)! };
      await rename(join(archivePaths(ar1, 'v').dir, newest.file), held.file);
    });
    afterAll(async () => {
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('is refused base-moved, drops its diff and index, and leaves the storage where it was', async () => {
      const before = (await observeStorage(db1, 'v'))!;
      const r = rng(where === 'local' ? 33 : 34);
      for (let i = 0; i < 6; i++) randomChange(device, size, r);
      const error = await hashBackup(db1, 'v', { archive: racing(archive, ar1, held) }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/hash backup's diff was refused: .*base-moved|moved on to \|\d+\|/);
      expect(error?.message).toContain('the next hash backup hashes the archive\'s newest image');
      // The volume is named once, at the start, however many layers the refusal came through.
      expect(error?.message.split('v: ').length, error?.message).toBe(2);
      expect((await observeStorage(db1, 'v'))!.latestGid).toBe(before.latestGid);
      const paths = storagePaths(db1, 'v');
      expect(JSON.parse(readFileSync(paths.meta, 'utf8'))).toMatchObject({ pending: null });
      expect(readdirSync(paths.dir).filter((n) => n.includes('.tmp') || n.endsWith('.wdiff'))).toEqual([]);
      // The other source's diff is all the archive took: its chain walks, and ends where the storage is.
      expect(await chainWalks(ar1)).toEqual([]);
      expect((await restorable(ar1, 'v')).at(-1)!.gid).toBe(before.latestGid);
    });

    it('is done again from the archive\'s newest image, and every gid restores to the volume\'s sha1', async () => {
      const r = rng(where === 'local' ? 35 : 36);
      for (let i = 0; i < 4; i++) randomChange(device, size, r);
      const h = await hashBackup(db1, 'v', { archive });
      sums.set(h.gid, sha1(device));
      expect(await chainWalks(ar1)).toEqual([]);
      const gids = (await restorable(ar1, 'v')).map((x) => x.gid);
      expect(gids.at(-1)).toBe(h.gid);
      for (const [gid, sum] of sums) {
        if (!gids.includes(gid)) continue;
        expect({ gid, sha1: sha1((await restore(ar1, 'v', gid, { path: join(dir, `r${gid}.img`) })).path) }).toEqual({ gid, sha1: sum });
      }
    });

    it('is refused by the archive itself, naming the image it moved to', async () => {
      const a = (await observeArchive(ar1, 'v'))!;
      const latest = a.diffs.at(-1)!.e;
      const stale = { b: { b: latest.b - 1, e: latest.b - 1 }, e: { b: latest.b + 5, e: latest.b + 5 }, mergeable: false, compared: true, timestamp: new Date().toISOString() };
      const e = await addDiff(ar1, 'v', { source: join(dir, 'nothing.wdiff'), diff: stale, explicitEnd: false }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ChainRelationError);
      expect(e).toMatchObject({ relation: 'base-moved' });
      expect((e as Error).message).toContain(`moved on to |${latest.b}|`);
    });
  });
}
