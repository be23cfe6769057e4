/**
 * repair: a corrupt super sector is rebuilt from wdev.json; a corrupt logpack ends the log there
 * (the packs before it are replayed onto the ddev). Either way the volume is marked overflowed, so
 * the next backup is a hash backup. Refused while served.
 */
import { StateError } from '../../../common/errors.js';
import { runWdev } from './binary.js';
import { formatFlags, readWdevConfig } from './config.js';
import { wdevPaths } from './paths.js';
import { isServing } from './serve.js';

export interface RepairResult {
  repaired: string;
  overflow: boolean;
}

export async function repairWdev(dataDir: string, vol: string): Promise<RepairResult> {
  const p = wdevPaths(dataDir, vol);
  const c = await readWdevConfig(p.config);
  if (await isServing(p)) throw new StateError(`volume ${vol}: served; stop it before a repair`);
  return runWdev<RepairResult>(['repair', ...formatFlags(c, p.ldev), '--ddev', p.ddev], { vol });
}
