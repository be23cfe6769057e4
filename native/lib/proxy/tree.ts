/**
 * Applying the tree to a proxy host's spool (what the proxy's driver does each pass): every volume
 * that names this host among its `proxies` is Started with the archives the tree gives it (delay
 * included); an archive no longer named is left to drain (`leaving`) and dropped when its queue is
 * empty; a volume no longer proxied here is Stopped and its archives drained, and cleared once the
 * last one is gone. Never drops a diff an archive still needs. Idempotent.
 */
import { readdir } from 'node:fs/promises';

import { addArchive, clearVolume, removeArchive, startVolume, stopVolume } from './archives.js';
import { proxyPaths, spoolRoot } from './layout.js';
import { readProxyState } from './state.js';

export interface ProxiedVolume {
  volume: string;
  archives: { host: string; delaySec?: number }[];
}

export type TreeChange =
  | { kind: 'add-archive' | 'update-archive'; volume: string; archive: string }
  | { kind: 'drain-archive' | 'drop-archive'; volume: string; archive: string }
  | { kind: 'start' | 'stop' | 'clear'; volume: string };

export async function applyProxyTree(dataDir: string, wanted: readonly ProxiedVolume[]): Promise<TreeChange[]> {
  const changes: TreeChange[] = [];
  const names = new Set(wanted.map((v) => v.volume));
  for (const v of wanted) {
    const s = await readProxyState(proxyPaths(dataDir, v.volume));
    for (const a of v.archives) {
      const had = s?.archives[a.host];
      if (!had || had.leaving || had.delaySec !== (a.delaySec ?? 0)) {
        await addArchive(dataDir, v.volume, { host: a.host, delaySec: a.delaySec ?? 0 });
        changes.push({ kind: had && !had.leaving ? 'update-archive' : 'add-archive', volume: v.volume, archive: a.host });
      }
    }
    for (const name of Object.keys(s?.archives ?? {})) {
      if (v.archives.some((a) => a.host === name)) continue;
      changes.push({ kind: (await removeArchive(dataDir, v.volume, name)) === 'removed' ? 'drop-archive' : 'drain-archive', volume: v.volume, archive: name });
    }
    if (v.archives.length > 0 && s?.state !== 'Started') {
      await startVolume(dataDir, v.volume);
      changes.push({ kind: 'start', volume: v.volume });
    }
  }
  for (const vol of (await readdir(spoolRoot(dataDir)).catch(() => [] as string[])).filter((n) => !n.startsWith('.') && !names.has(n))) {
    const s = await readProxyState(proxyPaths(dataDir, vol));
    if (!s) continue;
    if (s.state === 'Started') {
      await stopVolume(dataDir, vol);
      changes.push({ kind: 'stop', volume: vol });
    }
    for (const name of Object.keys(s.archives)) {
      changes.push({ kind: (await removeArchive(dataDir, vol, name)) === 'removed' ? 'drop-archive' : 'drain-archive', volume: vol, archive: name });
    }
    const after = await readProxyState(proxyPaths(dataDir, vol));
    if (after && Object.keys(after.archives).length === 0) {
      await clearVolume(dataDir, vol);
      changes.push({ kind: 'clear', volume: vol });
    }
  }
  return changes;
}
