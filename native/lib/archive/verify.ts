/**
 * verify VOL: checks the whole archive: the metadata, the base image (present, of the recorded
 * size, every bulk against its checksum in base.sums), every wdiff's checksums and header uuid, the
 * chain from the base (no gap, no diff left unreachable), an apply left half done (and the diffs it
 * still needs), and the restored images listed. Reports every problem; changes nothing, except that
 * `rebuildChecksums` writes base.sums anew from the base as it is now.
 */
import { readdir, stat } from 'node:fs/promises';

import { checkBase, makeBaseSums } from './base-check.js';
import { unreachableDiffs } from './chain.js';
import { formats } from './formats.js';
import { formatBase, formatSnap } from './gid.js';
import { phaseReporter, since, type OnProgress } from './progress.js';
import { wdiffUuid } from './uuid.js';
import { asAction, listDiffFiles, liveActions } from './volume.js';
import { mapAddonError } from './wdiff-errors.js';

export interface VerifyReport {
  ok: boolean;
  problems: string[];
  diffsChecked: number;
  bytes: number;
  seconds: number;
  /** Whether the base was checked bulk by bulk against base.sums. */
  baseChecked: boolean;
  /** Set when `rebuildChecksums` wrote base.sums anew. */
  rebuiltChecksums: boolean;
}

export interface VerifyOptions {
  onProgress?: OnProgress;
  /** Write base.sums from the base as it is now (an archive made before checksums, or a damaged sidecar). */
  rebuildChecksums?: boolean;
}

export async function verifyArchive(dataDir: string, vol: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = process.hrtime.bigint();
  return asAction(dataDir, vol, {
    op: 'verify',
    run: async (h) => {
      const m = h.meta;
      const problems: string[] = [];
      let bytes = 0;
      let baseChecked = false;
      let rebuiltChecksums = false;
      const applyLive = Boolean(m.applying) && liveActions(m).some((a) => a.name === 'apply');
      if (m.state === 'Archived' || m.state === 'Stopped') {
        const st = await stat(h.paths.base).catch(() => null);
        if (!st) problems.push(`${h.paths.base}: the base image is missing`);
        else if (m.applying) {
          // Half written by the apply: its checksums are checked once the apply is finished.
        } else if (opts.rebuildChecksums) {
          await makeBaseSums(h.paths, m.base.b, opts.onProgress ? { onProgress: opts.onProgress } : {});
          rebuiltChecksums = true;
          if (m.sizeBytes !== null && st.size !== m.sizeBytes) problems.push(`${h.paths.base}: the base image has ${st.size} bytes, the volume ${m.sizeBytes}`);
        } else {
          const check = await checkBase(h.paths, { snap: m.base.b, sizeBytes: m.sizeBytes, volume: vol }, opts.onProgress ? { onProgress: opts.onProgress } : {});
          problems.push(...check.problems);
          baseChecked = check.sums !== null;
          bytes += st.size;
        }
      }
      if (m.applying && !applyLive) {
        const to = m.base.e ?? m.base.b;
        problems.push(
          `the base is ${formatBase(m.base)}: an apply to gid ${to.b} was interrupted and still needs ${m.applying.length} diff(s) (${m.applying.join(', ')}); ` +
            `"walbctl archive apply ${vol} ${to.b}" or any other archive command on ${vol} (the daemon's next pass runs one) finishes it`,
        );
      }
      if (m.merging && !liveActions(m).some((a) => a.name === 'merge')) problems.push(`a merge into ${m.merging.output} was interrupted; the next archive command finishes it`);
      const diffs = await listDiffFiles(h.paths);
      const api = await formats();
      const report = phaseReporter(opts.onProgress, 'verify');
      let i = 0;
      for (const d of diffs) {
        try {
          await api.verifyDiff(d.path);
        } catch (error) {
          const e = mapAddonError(error);
          problems.push(e instanceof Error ? e.message : String(e));
        }
        const uuid = await wdiffUuid(d.path);
        if (m.deviceUuid && uuid !== m.deviceUuid && uuid !== '0'.repeat(32)) problems.push(`${d.path}: byte 16: header uuid ${uuid} is not the device uuid ${m.deviceUuid}`);
        bytes += d.dataSize;
        report?.(++i, diffs.length);
      }
      const start = m.base.e ?? m.base.b;
      // The diffs of an apply under way or half done are its input, not leftovers.
      const applying = new Set(m.applying ?? []);
      for (const d of unreachableDiffs(start, diffs)) {
        if (applying.has(d.file)) continue;
        const why = d.e.b <= start.b ? 'it ends before the base (already applied)' : 'a gap: no chain from the base reaches its start';
        problems.push(`${d.path}: diff ${formatSnap(d.b)}-->${formatSnap(d.e)} is not reachable from the base ${formatBase(m.base)}: ${why}`);
      }
      for (const r of m.restored) {
        if (!(await stat(r.path).catch(() => null))) problems.push(`${r.path}: restored image of gid ${r.gid} is listed but missing`);
      }
      for (const n of await readdir(h.paths.dir)) {
        if (n.endsWith('.wdiff') && !diffs.some((d) => d.file === n)) problems.push(`${h.paths.dir}/${n}: not a valid diff file name`);
      }
      return { ok: problems.length === 0, problems, diffsChecked: diffs.length, bytes, seconds: since(t0), baseChecked, rebuiltChecksums };
    },
  });
}
