/**
 * Storing a batch of logpacks: check it, convert it to a wdiff, make it durable in every queue, and
 * only then say so. The caller (the log-batch transfer) acknowledges to the storage after this
 * resolves, and the storage frees its log only after that acknowledgement (design.md).
 */
import { link, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { InputError } from '../../../common/errors.js';
import { fsyncDir } from '../../../common/atomic-write.js';
import { withLock } from '../archive/lock.js';
import { tempFor } from '../archive/files.js';
import type { CompressionName, ConvertResult } from '../native-types.js';
import { convertWlog } from '../wlog.js';
import { admitBatch, type BatchMeta } from './admit.js';
import { proxyPaths, queueDir, spoolName, type ProxyPaths } from './layout.js';
import { countQueued } from './queue.js';
import { readProxyState, writeProxyState, type ProxyVolumeState } from './state.js';
import { spoolUsage } from './usage.js';
import { checkHeader, readWlogHeader } from './wlog-header.js';

export interface SpoolOptions {
  /** `proxy.spoolLimit`: most bytes the spool holds before it refuses batches. */
  limitBytes: number;
  /** Record compression of the converted wdiffs; lz4 by default. */
  compression?: CompressionName;
}

export interface StoreResult {
  duplicate: boolean;
  /** The spooled file's name (absent for a duplicate). */
  file?: string;
  bytes: number;
  /** The end of the log the proxy holds for this volume now. */
  receivedLsid: number;
}

export function lockVolume<T>(p: ProxyPaths, vol: string, operation: string, fn: () => Promise<T>): Promise<T> {
  return withLock(p.lock, fn, { volume: vol, operation, timeoutMs: 60_000 });
}

/** The negotiate-time check: throws SpoolReject, or says whether the batch is a duplicate. */
export async function admitIncoming(dataDir: string, m: BatchMeta, opts: SpoolOptions): Promise<ReturnType<typeof admitBatch>> {
  const p = proxyPaths(dataDir, m.volume);
  return admitBatch(await readProxyState(p), m, { usage: await spoolUsage(dataDir), limitBytes: opts.limitBytes, queued: await countQueued(p) });
}

/**
 * Checks and converts `wlog` into `output`: the header against the announcement here, every logpack's
 * header and checksums and every IO's checksum by the conversion itself (one pass over the log, not a
 * verification pass and then the conversion's), and the whole range present from where it ended.
 * `output` is a temporary name; the caller renames it into master/ only after this resolved.
 */
async function checkAndConvert(wlog: string, m: BatchMeta, output: string, compression: CompressionName): Promise<ConvertResult> {
  checkHeader(wlog, await readWlogHeader(wlog), m);
  const r = await convertWlog([wlog], output, { compression });
  const t = r.lastWlog;
  if (m.lsid.e > m.lsid.b && t.end !== 'end-lsid') {
    await rm(output, { force: true });
    throw new InputError(`the log ends at byte ${t.endOffset} (${t.end}${t.endDetail ? `: ${t.endDetail}` : ''}) before lsid ${m.lsid.e}`, `${wlog}: byte ${t.endOffset}`);
  }
  return r;
}

export async function storeBatch(dataDir: string, m: BatchMeta, wlog: string, opts: SpoolOptions): Promise<StoreResult> {
  const p = proxyPaths(dataDir, m.volume);
  return lockVolume(p, m.volume, 'receive-batch', async () => {
    const s = (await readProxyState(p)) as ProxyVolumeState | null;
    // The batch's bytes were counted when it was admitted; by now they sit in the spool themselves.
    const a = admitBatch(s, { ...m, wlogBytes: 0 }, { usage: await spoolUsage(dataDir), limitBytes: opts.limitBytes, queued: await countQueued(p) });
    if (a.duplicate) return { duplicate: true, bytes: 0, receivedLsid: s!.received!.lsid };
    const state = s!;
    const name = spoolName({ lsid: m.lsid, diff: m.diff, explicitEnd: m.explicitEnd });
    await mkdir(p.master, { recursive: true });
    const master = join(p.master, name);
    // Converted under a temporary name (removed at start if this process dies), renamed once checked.
    const converted = tempFor(master);
    const r = await checkAndConvert(wlog, m, converted, opts.compression ?? 'lz4');
    if (state.device?.uuid !== m.device.uuid || state.device.sizeBytes !== m.device.sizeBytes) {
      // Recorded before the batch enters master/, so that a batch rolled forward after a crash belongs to it.
      state.device = { ...m.device };
      await writeProxyState(p, state);
    }
    await rename(converted, master);
    await fsyncDir(p.master);
    for (const [archive, link_] of Object.entries(state.archives)) {
      if (link_.leaving) continue;
      const dir = queueDir(p, archive);
      await mkdir(dir, { recursive: true });
      await linkOnce(master, join(dir, name));
      await fsyncDir(dir);
    }
    state.received = { lsid: m.lsid.e, gid: m.diff.e, at: new Date().toISOString() };
    await writeProxyState(p, state);
    await rm(master, { force: true });
    await fsyncDir(p.master);
    return { duplicate: false, file: name, bytes: r.fileBytes, receivedLsid: m.lsid.e };
  });
}

export async function linkOnce(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
