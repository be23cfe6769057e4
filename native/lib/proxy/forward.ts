/**
 * Forwarding one volume's queue to one archive, one transfer at a time: pick a run (run.ts), merge
 * it into one diff when it holds several, hand it to `send` (the wire's diff transfer, or a local
 * archive), and unlink the queue's links only once `send` resolved — the archive has verified,
 * installed and registered the diff by then. A refusal is handled by its policy from the wire's one
 * table (the error's `policy`): drop → unlink; fall-back-to-hash-backup → unlink (the storage's plan
 * runs the hash backup); back-off → keep and retry later; stop-and-report → halt this archive's
 * queue and report. An error without a policy (peer unreachable, cut) is a back-off.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { fsyncDir } from '../../../common/atomic-write.js';
import { tempFor } from '../archive/files.js';
import type { DiffName } from '../archive/diff-name.js';
import { formatSnap } from '../archive/gid.js';
import type { CompressionName } from '../native-types.js';
import { mergeWdiffs } from '../wdiff.js';
import { proxyPaths, queueDir } from './layout.js';
import { listQueue } from './queue.js';
import { lockVolume } from './receive.js';
import { pickRun, type RunLimits } from './run.js';
import { readProxyState, writeProxyState, type ArchiveLink } from './state.js';

export interface SendRequest {
  volume: string;
  archive: string;
  uuid: string;
  file: string;
  diff: DiffName;
  explicitEnd: boolean;
}

/** Resolves once the archive holds the diff durably; rejects with an error carrying `policy` for a typed refusal. */
export type Sender = (req: SendRequest) => Promise<void>;

export type ForwardOutcome =
  | { kind: 'sent'; diffs: number; bytes: number; diff: DiffName }
  | { kind: 'idle' }
  | { kind: 'delayed'; untilMs: number }
  | { kind: 'dropped'; diffs: number; reason: string }
  | { kind: 'back-off'; reason: string }
  | { kind: 'halted'; reason: string };

export interface ForwardOptions {
  nowMs?: number;
  limits?: RunLimits;
  compression?: CompressionName;
}

type Policy = 'drop' | 'back-off' | 'stop-and-report' | 'fall-back-to-hash-backup';

function policyOf(error: unknown): Policy {
  const p = (error as { policy?: unknown } | null)?.policy;
  return p === 'drop' || p === 'stop-and-report' || p === 'fall-back-to-hash-backup' ? p : 'back-off';
}

export async function forwardOnce(dataDir: string, vol: string, archive: string, send: Sender, opts: ForwardOptions = {}): Promise<ForwardOutcome> {
  const p = proxyPaths(dataDir, vol);
  const s = await readProxyState(p);
  const link = s?.archives[archive];
  if (!s || !link) return { kind: 'idle' };
  if (link.halted) return { kind: 'halted', reason: `${link.halted.reject}: ${link.halted.detail}` };
  const queue = await listQueue(p, archive);
  const pick = pickRun(queue, { nowMs: opts.nowMs ?? Date.now(), delaySec: link.delaySec, ...(opts.limits ? { limits: opts.limits } : {}) });
  if (!pick.run) {
    if (link.leaving && queue.length === 0) await dropLeaving(dataDir, vol, archive);
    return pick.waitUntilMs === null ? { kind: 'idle' } : { kind: 'delayed', untilMs: pick.waitUntilMs };
  }
  const run = pick.run;
  let file = run.diffs[0]!.path;
  let merged: string | null = null;
  if (run.diffs.length > 1) {
    await mkdir(p.incoming, { recursive: true });
    merged = tempFor(join(p.incoming, `merge-${archive}.wdiff`));
    await mergeWdiffs(run.diffs.map((d) => d.path), merged, { compression: opts.compression ?? 'lz4', uuid: s.device!.uuid });
    file = merged;
  }
  const span = `${formatSnap(run.diff.b)}-->${formatSnap(run.diff.e)}`;
  try {
    await send({ volume: vol, archive, uuid: s.device?.uuid ?? '', file, diff: run.diff, explicitEnd: run.explicitEnd });
  } catch (error) {
    const reason = `${archive}: diff ${span}: ${(error as Error).message}`;
    const policy = policyOf(error);
    if (policy === 'back-off') return { kind: 'back-off', reason };
    if (policy === 'stop-and-report') {
      await halt(dataDir, vol, archive, (error as { reject?: string }).reject ?? 'error', reason);
      return { kind: 'halted', reason };
    }
    await unlinkRun(p, archive, run.diffs.map((d) => d.file));
    return { kind: 'dropped', diffs: run.diffs.length, reason };
  } finally {
    if (merged) await rm(merged, { force: true });
  }
  await unlinkRun(p, archive, run.diffs.map((d) => d.file));
  await recordForwarded(dataDir, vol, archive, { lsid: run.diffs[run.diffs.length - 1]!.lsid.e, gid: run.diff.e.b, timestamp: run.diff.timestamp, at: new Date().toISOString() });
  return { kind: 'sent', diffs: run.diffs.length, bytes: run.bytes, diff: run.diff };
}

async function recordForwarded(dataDir: string, vol: string, archive: string, f: NonNullable<ArchiveLink['forwarded']>): Promise<void> {
  const p = proxyPaths(dataDir, vol);
  await lockVolume(p, vol, 'forwarded', async () => {
    const s = await readProxyState(p);
    const link = s?.archives[archive];
    if (!s || !link || (link.forwarded && link.forwarded.lsid >= f.lsid)) return;
    link.forwarded = f;
    await writeProxyState(p, s);
  });
}

async function unlinkRun(p: ReturnType<typeof proxyPaths>, archive: string, files: string[]): Promise<void> {
  const dir = queueDir(p, archive);
  for (const f of files) await rm(join(dir, f), { force: true });
  await fsyncDir(dir);
}

async function halt(dataDir: string, vol: string, archive: string, reject: string, detail: string): Promise<void> {
  const p = proxyPaths(dataDir, vol);
  await lockVolume(p, vol, 'halt', async () => {
    const s = await readProxyState(p);
    if (!s?.archives[archive]) return;
    s.archives[archive]!.halted = { reject, detail, at: new Date().toISOString() };
    await writeProxyState(p, s);
  });
}

async function dropLeaving(dataDir: string, vol: string, archive: string): Promise<void> {
  const p = proxyPaths(dataDir, vol);
  await lockVolume(p, vol, 'drop drained archive', async () => {
    const s = await readProxyState(p);
    if (!s?.archives[archive]?.leaving || (await listQueue(p, archive)).length > 0) return;
    delete s.archives[archive];
    await writeProxyState(p, s);
    await rm(queueDir(p, archive), { recursive: true, force: true });
  });
}
