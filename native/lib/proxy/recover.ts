/**
 * Replaying the spool after a crash (run when the proxy starts, and before each volume's first use):
 * a batch converted into master/ but not yet linked everywhere is linked into every queue and the
 * volume's received position rolled forward — it was durable, only its acknowledgement may be lost,
 * and the storage's resend is then answered as a duplicate. Temporary files whose writer died go.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { fsyncDir } from '../../../common/atomic-write.js';
import { removeDeadTemps } from '../archive/files.js';
import { parseSpoolName, proxyPaths, queueDir, spoolRoot, type ProxyPaths } from './layout.js';
import { listNames, queueNames } from './queue.js';
import { linkOnce, lockVolume } from './receive.js';
import { readProxyState, writeProxyState } from './state.js';

export interface RecoverReport {
  volume: string;
  rolledForward: string[];
  tempsRemoved: number;
}

export async function recoverVolume(dataDir: string, vol: string): Promise<RecoverReport> {
  const p: ProxyPaths = proxyPaths(dataDir, vol);
  return lockVolume(p, vol, 'recover', async () => {
    const report: RecoverReport = { volume: vol, rolledForward: [], tempsRemoved: 0 };
    // The volume's folder too: volume.json is written beside it (atomic writes' temp).
    report.tempsRemoved += await removeDeadTemps(p.dir);
    report.tempsRemoved += await removeDeadTemps(p.master);
    report.tempsRemoved += await removeDeadTemps(p.incoming);
    for (const q of await queueNames(p)) report.tempsRemoved += await removeDeadTemps(join(p.queues, q));
    const s = await readProxyState(p);
    const masters = (await listNames(p.master)).filter((f) => parseSpoolName(f));
    if (!s || masters.length === 0) return report;
    for (const f of masters) {
      const d = parseSpoolName(f)!;
      for (const [archive, a] of Object.entries(s.archives)) {
        if (a.leaving) continue;
        await linkOnce(join(p.master, f), join(queueDir(p, archive), f));
        await fsyncDir(queueDir(p, archive));
      }
      if (!s.received || d.lsid.e > s.received.lsid) s.received = { lsid: d.lsid.e, gid: d.diff.e, at: new Date().toISOString() };
      report.rolledForward.push(f);
    }
    await writeProxyState(p, s);
    for (const f of masters) await rm(join(p.master, f), { force: true });
    await fsyncDir(p.master);
    return report;
  });
}

/** Every volume of the spool. */
export async function recoverSpool(dataDir: string): Promise<RecoverReport[]> {
  const out: RecoverReport[] = [];
  for (const vol of (await readdir(spoolRoot(dataDir)).catch(() => [] as string[])).filter((n) => !n.startsWith('.'))) out.push(await recoverVolume(dataDir, vol));
  return out;
}
