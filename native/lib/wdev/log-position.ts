/**
 * Reading and moving the log's positions, online (through the serving process) or offline (the
 * ldev's super sector): status (no flush), sync (flush, then the permanent lsid), set-oldest (free shipped log),
 * reset (restart the log at the latest lsid, clearing overflow).
 */
import { resolve } from 'node:path';

import { StateError } from '../../../common/errors.js';
import { runWdev } from './binary.js';
import { controlRequest, type WdevStatusJson } from './control.js';
import { fromBinary, WdevError } from './errors.js';
import type { WdevPaths } from './paths.js';

/**
 * The log's positions without a flush: the latest lsid ends the log of every acknowledged write,
 * the permanent one only what the last flush made durable (and the written one what reached the
 * data device). A poll for new log asks this; a flush (of the ring's file, so of the disk's cache
 * under the writer's IOs) is for the batch it finds.
 */
export async function logStatus(p: WdevPaths, vol: string): Promise<WdevStatusJson> {
  return (await controlRequest(p.socket, 'status')) ?? runWdev<WdevStatusJson>(['status', '--ldev', p.ldev], { vol });
}

/** Flushes the log when served; the returned permanent lsid covers every acknowledged write. */
export async function syncLog(p: WdevPaths, vol: string): Promise<WdevStatusJson> {
  return (await controlRequest(p.socket, 'sync')) ?? runWdev<WdevStatusJson>(['status', '--ldev', p.ldev], { vol });
}

export async function setOldest(p: WdevPaths, vol: string, lsid: number): Promise<WdevStatusJson> {
  return (
    (await controlRequest(p.socket, `set-oldest ${lsid}`)) ??
    runWdev<WdevStatusJson>(['set-oldest', '--ldev', p.ldev, '--lsid', String(lsid)], { vol })
  );
}

/**
 * Makes a served wdev's state durable now (its super written with the oldest lsid set-oldest
 * moved); a wdev not served wrote its super at set-oldest already.
 */
export async function checkpointLog(p: WdevPaths, vol: string): Promise<WdevStatusJson> {
  return (await controlRequest(p.socket, 'checkpoint')) ?? logStatus(p, vol);
}

/** Needs the serving process: the ddev must be synced by whoever owns it. */
export async function resetLog(p: WdevPaths, vol: string): Promise<WdevStatusJson> {
  const r = await controlRequest(p.socket, 'reset');
  if (!r) throw new StateError(`volume ${vol}: not served; run "walbctl wdev serve ${vol}" first`);
  return r;
}

export interface ExtractResult {
  packs: number;
  ios: number;
  discards: number;
  bytes: number;
  from: number;
  to: number;
  /** The ring's size in physical blocks, and the block size. */
  ringBlocks: number;
  pbs: number;
}

/**
 * Copies the logpacks in [from, to) into a wlog file (checked pack by pack). With `maxBytes`, stops
 * before the pack that would take the file's packs past it (one pack at least): the result's `to`
 * is where the file ends.
 */
export function extractWlog(p: WdevPaths, vol: string, range: { from: number; to: number; maxBytes?: number }, out: string): Promise<ExtractResult> {
  return extract(p, vol, range, out, false);
}

/**
 * Like extractWlog, but reads and checks only the packs' headers and writes only the wlog's frame
 * (header block, then end block) to `out`: the packs stay in the ring, read from there by the
 * sender (ring-wlog.ts). The result's `bytes` is the whole wlog's size.
 */
export function extractFrame(p: WdevPaths, vol: string, range: { from: number; to: number; maxBytes?: number }, out: string): Promise<ExtractResult> {
  return extract(p, vol, range, out, true);
}

/**
 * Asks the serving process first (its control socket's `extract`): it has the ring open, and a
 * batch then costs no process. Starting walbctl-wdev per batch cost the storage ~2 CPU-s per GB
 * shipped of 4 KiB writes (bench:ship, 2026-12-06: the fork of the shipper's process and the
 * binary's start, once per batch). Not served, or served by a binary that predates the command:
 * the binary reads the ldev itself, as before.
 */
async function extract(p: WdevPaths, vol: string, range: { from: number; to: number; maxBytes?: number }, out: string, frameOnly: boolean): Promise<ExtractResult> {
  const path = resolve(out);
  const served = await controlRequest<ExtractResult>(p.socket, `extract ${range.from} ${range.to} ${range.maxBytes ?? 0} ${frameOnly ? 1 : 0} ${path}`, { timeoutMs: 600_000 }).catch(
    (e: unknown) => {
      if (!(e instanceof WdevError)) throw e;
      if (e.wdevCode === 'usage') return null;
      throw fromBinary(`walbctl-wdev: ${e.wdevCode}: ${e.message}`, vol);
    },
  );
  if (served) return served;
  const bound = range.maxBytes ? ['--max-bytes', String(range.maxBytes)] : [];
  return runWdev<ExtractResult>(
    ['extract', '--ldev', p.ldev, '--from', String(range.from), '--to', String(range.to), '--permanent', String(range.to), ...bound, ...(frameOnly ? ['--frame-only'] : []), '--out', path],
    { vol },
  );
}
