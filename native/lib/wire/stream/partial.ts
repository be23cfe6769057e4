/**
 * The receiver's record of a stream it has not finished: `<dataDir>/wire/partial/<kind>-<volume>/`
 * holds `data` (the bytes so far, fsynced up to `offset`) and `state.json` (written atomically
 * after that fsync); a full backup's also `sums`, the base checksums of the bulks up to `offset`
 * (bulk-sums.ts, fsynced before the state). `identity` says what the stream is; a request with
 * another identity starts over.
 */
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { atomicWriteFile } from '../../../../common/atomic-write.js';

export interface PartialState {
  kind: string;
  volume: string;
  /** What is being sent (kind-specific; compared as JSON). */
  identity: Record<string, unknown>;
  checkpointBytes: number;
  /** The algorithm of `segments` (absent: sha256, protocol version 1). */
  digest?: 'sha256' | 'xxh3';
  /** Bytes received, fsynced and covered by `segments`. */
  offset: number;
  /** sha256 (hex) of each checkpoint segment of the stream so far. */
  segments: string[];
}

export interface PartialSummary {
  kind: string;
  volume: string;
  offset: number;
  identity: Record<string, unknown>;
}

export function partialRoot(dataDir: string): string {
  return join(dataDir, 'wire', 'partial');
}

export function partialDir(dataDir: string, kind: string, volume: string): string {
  return join(partialRoot(dataDir), `${kind}-${volume}`);
}

export async function readPartial(dir: string): Promise<PartialState | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as PartialState;
  } catch {
    return null;
  }
}

export async function writePartial(dir: string, s: PartialState): Promise<void> {
  await atomicWriteFile(join(dir, 'state.json'), JSON.stringify(s));
}

/** Starts a partial afresh: an empty data file, no state (the state appears at the first checkpoint). */
export async function resetPartial(dir: string, size: number): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const h = await open(join(dir, 'data'), 'w');
  try {
    await h.truncate(size);
    await h.sync();
  } finally {
    await h.close();
  }
}

export async function dropPartial(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function listPartials(dataDir: string): Promise<PartialSummary[]> {
  let names: string[];
  try {
    names = await readdir(partialRoot(dataDir));
  } catch {
    return [];
  }
  const out: PartialSummary[] = [];
  for (const n of names.sort()) {
    const s = await readPartial(join(partialRoot(dataDir), n));
    if (s) out.push({ kind: s.kind, volume: s.volume, offset: s.offset, identity: s.identity });
  }
  return out;
}
