/**
 * Stops serving: the server flushes the log, checkpoints (the ddev then holds everything) and
 * unmounts. Refused while a loop device is attached, unless `force` (which detaches it first).
 */
import { StateError } from '../../../common/errors.js';
import { attachedLoop, detachWdev } from './attach.js';
import { controlRequest } from './control.js';
import { wdevPaths } from './paths.js';
import { cleanStaleMount, isServing } from './serve.js';

export async function stopWdev(dataDir: string, vol: string, opts: { force?: boolean; timeoutMs?: number } = {}): Promise<{ stopped: boolean }> {
  const p = wdevPaths(dataDir, vol);
  const dev = await attachedLoop(p);
  if (dev && !opts.force) throw new StateError(`volume ${vol}: ${dev} is attached; run "walbctl wdev detach ${vol}" first (or --force)`);
  if (dev) await detachWdev(dataDir, vol);
  if (!(await isServing(p))) {
    await cleanStaleMount(p);
    return { stopped: false };
  }
  await controlRequest(p.socket, 'stop');
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (!(await isServing(p))) {
      await cleanStaleMount(p);
      return { stopped: true };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new StateError(`volume ${vol}: the server did not stop within ${opts.timeoutMs ?? 60_000} ms`);
}
