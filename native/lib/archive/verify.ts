/**
 * verify VOL: checks the whole archive: the metadata, the base image (present, of the recorded
 * size), every wdiff's checksums and header uuid, the chain from the base (no gap, no diff left
 * unreachable), an apply left half done, and the restored images listed. Reports every problem;
 * changes nothing.
 */
import { readdir, stat } from 'node:fs/promises';

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
}

export async function verifyArchive(dataDir: string, vol: string, opts: { onProgress?: OnProgress } = {}): Promise<VerifyReport> {
  const t0 = process.hrtime.bigint();
  return asAction(dataDir, vol, {
    op: 'verify',
    run: async (h) => {
      const m = h.meta;
      const problems: string[] = [];
      let bytes = 0;
      if (m.state === 'Archived' || m.state === 'Stopped') {
        const st = await stat(h.paths.base).catch(() => null);
        if (!st) problems.push(`${h.paths.base}: the base image is missing`);
        else if (m.sizeBytes !== null && st.size !== m.sizeBytes) problems.push(`${h.paths.base}: the base image has ${st.size} bytes, the volume ${m.sizeBytes}`);
      }
      const interrupted = m.applying && !liveActions(m).some((a) => a.name === 'apply');
      if (interrupted) problems.push(`the base is ${formatBase(m.base)}: an apply was interrupted; "walbctl archive apply" or "start" finishes it`);
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
      for (const d of unreachableDiffs(start, diffs)) {
        const why = d.e.b <= start.b ? 'it ends before the base (already applied)' : 'a gap: no chain from the base reaches its start';
        problems.push(`${d.path}: diff ${formatSnap(d.b)}-->${formatSnap(d.e)} is not reachable from the base ${formatBase(m.base)}: ${why}`);
      }
      for (const r of m.restored) {
        if (!(await stat(r.path).catch(() => null))) problems.push(`${r.path}: restored image of gid ${r.gid} is listed but missing`);
      }
      for (const n of await readdir(h.paths.dir)) {
        if (n.endsWith('.wdiff') && !diffs.some((d) => d.file === n)) problems.push(`${h.paths.dir}/${n}: not a valid diff file name`);
      }
      return { ok: problems.length === 0, problems, diffsChecked: diffs.length, bytes, seconds: since(t0) };
    },
  });
}
