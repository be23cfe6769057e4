/**
 * Verifies a restored image against the archive: the same snapshot is restored again into a scratch
 * file (a reflink clone of the base where the file system allows, so it costs little) and compared
 * byte for byte with the image (`cmp`, run with execa: no bytes cross into JS). The outcome is kept
 * in the driver's state and reported as the image's `verified`.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { execa } from 'execa';

import { deleteRestored, restore, restoredImages } from '../../../native/lib/archive/index.js';
import { statePaths } from '../../apply/state-paths.js';
import type { PlanAction } from '../../model/plan.js';
import type { ActionContext, ActionOutcome } from '../driver.js';
import { ActionFailedError } from '../errors.js';
import { numberParam, stringParam } from '../params.js';
import { updateDriverState } from './driver-state.js';

/** Where scratch restores go; images there are the driver's own and never reported as restored. */
export function scratchDir(dataDir: string): string {
  return join(statePaths(dataDir).dir, 'verify');
}

async function removeScratch(dataDir: string, vol: string, gid: number, path: string): Promise<void> {
  const listed = (await restoredImages(dataDir, vol)).some((r) => r.path === path);
  if (listed) await deleteRestored(dataDir, vol, gid, { path });
  await rm(path, { force: true });
}

export async function verifyRestore(action: PlanAction, ctx: ActionContext): Promise<ActionOutcome> {
  const { dataDir } = ctx.host;
  const vol = ctx.volumeName;
  const gid = numberParam(action, 'gid');
  const path = resolve(stringParam(action, 'path'));
  const images = await restoredImages(dataDir, vol);
  const image = images.find((r) => r.path === path && r.gid === gid);
  if (!image) throw new ActionFailedError(action.id, `gid ${gid} is not restored at ${path}`, { retryable: true });
  const scratch = join(scratchDir(dataDir), `${vol}-${gid}.img`);
  await mkdir(scratchDir(dataDir), { recursive: true });
  // A scratch image a crash left behind goes first.
  for (const r of images.filter((i) => i.path.startsWith(scratchDir(dataDir) + '/'))) await removeScratch(dataDir, vol, r.gid, r.path);
  await rm(scratch, { force: true });
  const t0 = performance.now();
  let ok: boolean;
  try {
    const again = await restore(dataDir, vol, gid, { path: scratch, mode: 'auto' });
    const [a, b] = await Promise.all([stat(path), stat(scratch)]);
    if (a.size !== b.size) ok = false;
    else {
      const r = await execa('cmp', ['--silent', '--', path, scratch], { reject: false });
      if (r.exitCode !== 0 && r.exitCode !== 1) throw new ActionFailedError(action.id, `cmp failed (exit ${r.exitCode}): ${r.stderr}`, { retryable: true });
      ok = r.exitCode === 0;
    }
    await updateDriverState(dataDir, vol, (v) => {
      v.verified = { ...(v.verified ?? {}), [path]: { gid, createdAt: image.createdAt, ok, at: new Date().toISOString() } };
    });
    if (!ok) throw new ActionFailedError(action.id, `the image at ${path} differs from gid ${gid} restored again from the archive`);
    return { gid, path, ok, method: again.method, seconds: Math.round(performance.now() - t0) / 1000 };
  } finally {
    await removeScratch(dataDir, vol, gid, scratch).catch(() => {});
  }
}
