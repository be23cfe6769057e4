/**
 * `capture.json`: the storage role's position for a wdev volume. `shipped` is what the archive
 * holds (its newest snapshot and the lsid it corresponds to: the log before it may be freed);
 * `queue` holds snapshots taken (an lsid each) whose log is not in the archive yet.
 */
import { readFile } from 'node:fs/promises';

import { InputError, StateError } from '../../../common/errors.js';
import { atomicWriteFile } from '../../../common/atomic-write.js';
import type { GidSnap } from '../archive/gid.js';

export interface CaptureSnapshot {
  gid: number;
  lsid: number;
  /** UTC, ISO 8601 without milliseconds. */
  timestamp: string;
  explicit: boolean;
}

export interface CaptureState {
  formatVersion: 1;
  archiveDataDir: string;
  shipped: { snap: GidSnap; lsid: number; explicit: boolean };
  queue: CaptureSnapshot[];
  latestGid: number;
  /** When the newest explicit snapshot was taken (UTC, ISO 8601): the plan's schedule reads it. */
  lastExplicitAt?: string;
}

export async function readCapture(path: string, vol: string): Promise<CaptureState> {
  const s = await readCaptureOrNull(path);
  if (!s) throw new StateError(`volume ${vol}: capture has not started; run "walbctl wdev backup ${vol}" (a full backup) first`);
  return s;
}

export async function readCaptureOrNull(path: string): Promise<CaptureState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let s: CaptureState;
  try {
    s = JSON.parse(text) as CaptureState;
  } catch (error) {
    throw new InputError(`not valid JSON: ${(error as Error).message}`, path);
  }
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!s.shipped || !count(s.shipped.lsid) || !count(s.shipped.snap?.b) || !count(s.latestGid) || !Array.isArray(s.queue)) {
    throw new InputError('field "shipped", "latestGid" or "queue" is missing or invalid', path);
  }
  return s;
}

export function writeCapture(path: string, s: CaptureState): Promise<void> {
  return atomicWriteFile(path, JSON.stringify(s, null, 2) + '\n');
}

export function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Records as shipped each queued batch the wdev's oldest lsid has passed: the log is freed
 * (set-oldest) only after the proxy acknowledged it, so a batch whose end the oldest lsid reached
 * was acknowledged, whether or not capture.json says so yet. A batch that carries no log (its lsid
 * is the shipped one) is left queued: ship-log.ts records it when it is acknowledged.
 * True when it moved anything (capture.json is then behind and must be rewritten).
 */
export function settleAcknowledged(s: CaptureState, oldestLsid: number): boolean {
  let moved = false;
  while (s.queue.length > 0 && s.queue[0]!.lsid > s.shipped.lsid && s.queue[0]!.lsid <= oldestLsid) {
    const q = s.queue.shift()!;
    s.shipped = { snap: { b: q.gid, e: q.gid }, lsid: q.lsid, explicit: q.explicit };
    moved = true;
  }
  return moved;
}

/**
 * capture.json as the next pass of the shipping loop will record it: a copy with every batch the
 * freed log says was acknowledged settled (readers that only report — status, the ship tracker —
 * would otherwise show the last acknowledged batch queued for up to one loop pass).
 */
export function settledView(s: CaptureState, oldestLsid: number): CaptureState {
  const v: CaptureState = { ...s, shipped: { ...s.shipped }, queue: [...s.queue] };
  settleAcknowledged(v, oldestLsid);
  return v;
}
