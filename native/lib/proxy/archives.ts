/**
 * WalB's archive-info and the proxy's start/stop, per volume: which archives a volume's diffs go to
 * (one queue each, with its delay), and whether batches are taken. An archive the tree drops keeps
 * its queue until it is drained (`leaving`): the proxy never throws away the only copy of a diff
 * an archive still needs. Stopping with `empty` waits for every queue to drain, as WalB's does.
 */
import { mkdir, rm } from 'node:fs/promises';

import { StateError } from '../../../common/errors.js';
import { proxyPaths, queueDir } from './layout.js';
import { listQueue } from './queue.js';
import { lockVolume } from './receive.js';
import { emptyState, readProxyState, writeProxyState, type ProxyVolumeState } from './state.js';

export interface ArchiveSetting {
  host: string;
  delaySec?: number;
}

async function update<T>(dataDir: string, vol: string, op: string, fn: (s: ProxyVolumeState | null) => Promise<{ state: ProxyVolumeState | null; result: T }>): Promise<T> {
  const p = proxyPaths(dataDir, vol);
  await mkdir(p.dir, { recursive: true });
  return lockVolume(p, vol, op, async () => {
    const before = await readProxyState(p);
    const { state, result } = await fn(before);
    if (state) await writeProxyState(p, state);
    return result;
  });
}

/** Adds or updates an archive of the volume (Clear → Stopped on the first one). */
export async function addArchive(dataDir: string, vol: string, a: ArchiveSetting): Promise<ProxyVolumeState> {
  return update(dataDir, vol, 'archive-info add', async (s) => {
    const state = s ?? emptyState(vol);
    const had = state.archives[a.host];
    state.archives[a.host] = { delaySec: a.delaySec ?? had?.delaySec ?? 0, leaving: false, halted: had?.halted ?? null };
    await mkdir(queueDir(proxyPaths(dataDir, vol), a.host), { recursive: true });
    return { state, result: state };
  });
}

export type RemoveResult = 'removed' | 'draining' | 'absent';

/**
 * Removes an archive: at once when its queue is empty, else it is marked leaving and removed by the
 * forwarder once the queue drained (or by calling this again).
 */
export async function removeArchive(dataDir: string, vol: string, host: string): Promise<RemoveResult> {
  const p = proxyPaths(dataDir, vol);
  return update(dataDir, vol, 'archive-info delete', async (s) => {
    if (!s || !s.archives[host]) return { state: null, result: 'absent' as const };
    if ((await listQueue(p, host)).length > 0) {
      s.archives[host]!.leaving = true;
      return { state: s, result: 'draining' as const };
    }
    delete s.archives[host];
    await rm(queueDir(p, host), { recursive: true, force: true });
    return { state: s, result: 'removed' as const };
  });
}

/** Stopped → Started: batches are taken again; an archive's halt is cleared by `resume`. */
export async function startVolume(dataDir: string, vol: string): Promise<void> {
  await update(dataDir, vol, 'start', async (s) => {
    if (!s || Object.keys(s.archives).length === 0) throw new StateError(`proxy: volume ${vol} has no archive; add one first`);
    s.state = 'Started';
    return { state: s, result: undefined };
  });
}

/**
 * Started → Stopped. `graceful` refuses new batches at once and keeps forwarding what is queued;
 * `empty` refuses to stop (StateError, retryable) while a queue still holds diffs.
 */
export async function stopVolume(dataDir: string, vol: string, mode: 'graceful' | 'empty' = 'graceful'): Promise<void> {
  const p = proxyPaths(dataDir, vol);
  await update(dataDir, vol, `stop ${mode}`, async (s) => {
    if (!s) return { state: null, result: undefined };
    if (mode === 'empty') {
      for (const host of Object.keys(s.archives)) {
        const q = await listQueue(p, host);
        if (q.length > 0) throw new StateError(`proxy: volume ${vol}: ${q.length} diffs still wait for ${host}`, { retryable: true });
      }
    }
    s.state = 'Stopped';
    return { state: s, result: undefined };
  });
}

/** Clears an archive's stop-and-report halt (a person, or a change of the tree, acted). */
export async function resumeArchive(dataDir: string, vol: string, host: string): Promise<void> {
  await update(dataDir, vol, 'resume', async (s) => {
    if (!s?.archives[host]) return { state: null, result: undefined };
    s.archives[host]!.halted = null;
    return { state: s, result: undefined };
  });
}

/** Stopped → Clear: only with no archive left (every queue drained and removed). */
export async function clearVolume(dataDir: string, vol: string): Promise<void> {
  const p = proxyPaths(dataDir, vol);
  await update(dataDir, vol, 'clear', async (s) => {
    if (s && Object.keys(s.archives).length > 0) throw new StateError(`proxy: volume ${vol} still forwards to ${Object.keys(s.archives).join(', ')}`);
    return { state: null, result: undefined };
  });
  await rm(p.dir, { recursive: true, force: true });
}
