/**
 * The archive's check of its diffs: every wdiff file is verified against the checksums it carries
 * (its header, each pack header, each record's data — formats' verifyDiff) when it first appears,
 * again whenever its size, mtime or inode changes, and again once its last check is older than
 * `recheckMs` (bit rot changes no mtime). A diff that fails is taken out of the chain: under the
 * volume's lock, with no action running that reads diffs, it is checked once more, recorded in
 * meta.json's `setAside` (file, what the check found, when) and moved into `set-aside/` beside the
 * chain — kept for the operator, never deleted. The chain then has a hole where it was, which the
 * planner repairs as it repairs a missing diff (a hash backup from the storage); the gids that
 * needed it are no longer restorable, so a restore never reads a corrupt diff.
 *
 * A daemon calls this for every archive volume on every pass, so a volume whose folder did not change
 * (its mtime, ctime and inode: a diff arriving, merged, applied or set aside, and meta.json's atomic
 * rewrite, all rename or unlink in it) since a complete pass is passed over with one stat until
 * `statEveryMs` has gone by or one of its diffs falls due for its recheck. A diff rewritten in place
 * (which walbctl never does) is therefore noticed within `statEveryMs`, and bit rot within `recheckMs`.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { SetAsideDiff } from '../../../common/observed.js';
import { statKey } from '../../../common/stat-key.js';
import { fsyncDir } from './files.js';
import { formats } from './formats.js';
import { archivePaths, setAsideDir, type ArchivePaths } from './layout.js';
import { withLock } from './lock.js';
import { readArchiveMeta, writeArchiveMeta } from './meta.js';
import { listDiffFiles, liveActions, readStateOrClear } from './volume.js';
import { mapAddonError } from './wdiff-errors.js';

export interface DiffCheckOptions {
  /** Check a diff again after this long even when its file did not change (default 6 h). */
  recheckMs?: number;
  /** Most bytes verified per call (default 256 MiB; at least one diff): a large archive's first
   *  check spreads over the daemon's passes instead of holding one up. */
  budgetBytes?: number;
  /** Look at the diffs of a volume whose folder did not change at least this often (default 5 min). */
  statEveryMs?: number;
  now?: () => number;
}

export interface DiffCheckResult {
  /** Diffs verified in this call (new, changed or due). */
  checked: number;
  /** Diffs set aside in this call. */
  setAside: SetAsideDiff[];
  /** Corrupt diffs left in place for now (an action reading diffs was running): the next call retries. */
  deferred: string[];
}

/** What a failed verification says, as one line (the file, the offset, the rule). */
async function verifyOne(path: string): Promise<string | null> {
  try {
    await (await formats()).verifyDiff(path);
    return null;
  } catch (error) {
    const e = mapAddonError(error);
    const msg = e instanceof Error ? e.message : String(e);
    return msg.split('\n')[0]!.trim() || 'verification failed';
  }
}

/** Checks the diffs of archive volumes, remembering what it verified (one instance per daemon). */
export class DiffChecker {
  private readonly seen = new Map<string, { key: string; at: number }>();
  /** Per volume folder: its key after the last complete pass, and when to look inside again anyway. */
  private readonly folders = new Map<string, { key: string; until: number }>();
  private readonly recheckMs: number;
  private readonly statEveryMs: number;
  private readonly budgetBytes: number;
  private readonly now: () => number;

  constructor(o: DiffCheckOptions = {}) {
    this.recheckMs = o.recheckMs ?? 6 * 3600_000;
    this.budgetBytes = o.budgetBytes ?? 256 << 20;
    this.statEveryMs = o.statEveryMs ?? 5 * 60_000;
    this.now = o.now ?? Date.now;
  }

  async check(dataDir: string, vol: string): Promise<DiffCheckResult> {
    const paths = archivePaths(dataDir, vol);
    const out: DiffCheckResult = { checked: 0, setAside: [], deferred: [] };
    // Synchronous (stat-key.ts): one per archive volume and daemon pass.
    const folderKey = statKey(paths.dir);
    if (folderKey === null) {
      this.folders.delete(paths.dir);
      return out;
    }
    const last = this.folders.get(paths.dir);
    if (last && last.key === folderKey && this.now() < last.until) return out;
    this.folders.delete(paths.dir);
    const { meta } = await readStateOrClear(paths);
    if (!meta || (meta.state !== 'Archived' && meta.state !== 'Stopped')) {
      this.folders.set(paths.dir, { key: folderKey, until: this.now() + this.statEveryMs });
      return out;
    }
    const present = new Set<string>();
    let spent = 0;
    let complete = true;
    let until = this.now() + this.statEveryMs;
    // Newest first: a diff that just arrived is the likeliest to be read soon. Without sizes: each
    // diff is stat'ed below anyway (a daemon runs this for every archive volume on every pass).
    for (const d of (await listDiffFiles(paths, { sizes: false })).reverse()) {
      present.add(d.path);
      if (spent >= this.budgetBytes) {
        complete = false;
        continue;
      }
      const st = await stat(d.path).catch(() => null);
      if (!st) {
        complete = false; // merged or applied away meanwhile: the folder changed, look again next time
        continue;
      }
      const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
      const seen = this.seen.get(d.path);
      if (seen && seen.key === key && this.now() - seen.at < this.recheckMs) {
        until = Math.min(until, seen.at + this.recheckMs);
        continue;
      }
      out.checked++;
      spent += st.size;
      const problem = await verifyOne(d.path);
      if (problem === null) {
        const at = this.now();
        this.seen.set(d.path, { key, at });
        until = Math.min(until, at + this.recheckMs);
        continue;
      }
      complete = false;
      const moved = await this.setAside(paths, vol, { file: d.file, from: d.b.b, to: d.e.b }, problem);
      if (moved) out.setAside.push(moved);
      else if ((await stat(d.path).catch(() => null)) !== null) out.deferred.push(d.file);
    }
    // Remembered only after a pass that looked at every diff and found nothing wrong: one that ran
    // out of budget, or deferred or set aside a diff, looks again next time.
    if (complete) this.folders.set(paths.dir, { key: folderKey, until });
    for (const p of this.seen.keys()) if (p.startsWith(paths.dir + '/') && !present.has(p)) this.seen.delete(p);
    return out;
  }

  /** Moves `file` out of the chain when it is still there, still corrupt, and nothing reads diffs now. */
  private async setAside(paths: ArchivePaths, vol: string, diff: { file: string; from: number; to: number }, problem: string): Promise<SetAsideDiff | null> {
    const { file } = diff;
    const from = join(paths.dir, file);
    return withLock(paths.lock, async () => {
      const meta = await readArchiveMeta(paths.meta);
      if (liveActions(meta).length > 0) return null;
      if (meta.applying?.includes(file) || meta.merging?.inputs.includes(file)) return null;
      if (!(await stat(from).catch(() => null))) return null;
      // Checked again under the lock: a file replaced meanwhile (a merge's output) is judged as it is now.
      const again = await verifyOne(from);
      if (again === null) return null;
      const entry: SetAsideDiff = { ...diff, reason: again || problem, at: new Date(this.now()).toISOString() };
      // Recorded first: a crash before the move leaves the diff in the chain, and the next check moves it.
      meta.setAside = [...(meta.setAside ?? []).filter((x) => x.file !== file), entry];
      await writeArchiveMeta(paths.meta, meta);
      const dir = setAsideDir(paths);
      await mkdir(dir, { recursive: true });
      await rename(from, join(dir, file));
      await fsyncDir(dir);
      await fsyncDir(paths.dir);
      this.seen.delete(from);
      return entry;
    }, { volume: vol, operation: 'set aside a corrupt diff' });
  }
}
