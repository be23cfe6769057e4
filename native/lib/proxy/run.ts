/**
 * Which queued diffs go to an archive in one transfer (pure): the oldest diff whose delay has
 * passed, then each next one while it may be merged onto the run (WalB's merge rule: consecutive,
 * mergeable, never across an explicit snapshot) and the run stays within WalB's limits — 128 MiB
 * of diff data and 1,000 files by default.
 */
import { canMerge, mergeSpan } from '../archive/gid.js';
import type { DiffName } from '../archive/diff-name.js';
import type { QueuedDiff } from './queue.js';

export interface RunLimits {
  maxBytes: number;
  maxFiles: number;
}

export const WALB_RUN_LIMITS: RunLimits = { maxBytes: 128 << 20, maxFiles: 1000 };

export interface Run {
  diffs: QueuedDiff[];
  /** What the run becomes at the archive. */
  diff: DiffName;
  explicitEnd: boolean;
  bytes: number;
}

export type Pick = { run: Run } | { run: null; waitUntilMs: number | null };

export function pickRun(queue: readonly QueuedDiff[], opts: { nowMs: number; delaySec: number; limits?: RunLimits }): Pick {
  const limits = opts.limits ?? WALB_RUN_LIMITS;
  const due = (q: QueuedDiff) => q.arrivedMs + opts.delaySec * 1000 <= opts.nowMs;
  const first = queue[0];
  if (!first) return { run: null, waitUntilMs: null };
  if (!due(first)) return { run: null, waitUntilMs: first.arrivedMs + opts.delaySec * 1000 };
  const diffs = [first];
  let span: DiffName = first.diff;
  let bytes = first.bytes;
  for (const next of queue.slice(1)) {
    if (!due(next) || diffs.length >= limits.maxFiles || bytes + next.bytes > limits.maxBytes) break;
    if (!canMerge(span, next.diff)) break;
    span = { ...mergeSpan(span, next.diff), timestamp: next.diff.timestamp };
    bytes += next.bytes;
    diffs.push(next);
  }
  return { run: { diffs, diff: span, explicitEnd: diffs[diffs.length - 1]!.explicitEnd, bytes } };
}
