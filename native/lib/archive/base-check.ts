/**
 * The base image's integrity (base-sums.md): made from the whole image by a full backup or by an
 * operator's rebuild, refreshed by an apply for the bulks it wrote, and checked by verify and by a
 * restore as it reads. Every finding is a sentence naming the file and the byte range.
 */
import { stat } from 'node:fs/promises';

import { showWdiff } from '../wdiff.js';
import { hashImage } from './addon.js';
import { SUMS_BULK, readSums, writeSums, type BaseSums } from './base-sums.js';
import { formatSnap, type GidSnap } from './gid.js';
import type { ArchivePaths } from './layout.js';
import { phaseReporter, type OnProgress } from './progress.js';

/** How many mismatching bulks a report lists one by one. */
const LISTED = 8;

/** Hashes the whole base and writes its sidecar, for the base snapshot `snap`. */
export async function makeBaseSums(paths: ArchivePaths, snap: GidSnap, opts: { onProgress?: OnProgress; image?: string } = {}): Promise<BaseSums> {
  const image = opts.image ?? paths.base;
  const sizeBytes = (await stat(image)).size;
  const hashes = await hashImage({ path: image, bulkSize: SUMS_BULK, sizeBytes }, phaseReporter(opts.onProgress, 'hash'));
  const sums = { bulkSize: SUMS_BULK, sizeBytes, snap: { b: snap.b, e: snap.e }, hashes };
  await writeSums(paths.sums, sums);
  return sums;
}

/** The bulks the records of these wdiffs write (or discard). */
export async function bulksWritten(diffs: string[], bulkSize: number): Promise<number[]> {
  const touched = new Set<number>();
  for (const d of diffs) {
    for (const r of (await showWdiff(d)).records) {
      const first = Math.floor((r.address * 512) / bulkSize);
      const last = Math.floor(((r.address + r.blocks) * 512 - 1) / bulkSize);
      for (let b = first; b <= last; b++) touched.add(b);
    }
  }
  return [...touched].sort((x, y) => x - y);
}

/**
 * After an apply `<from-->to>` has written the base: re-hashes the bulks the diffs wrote and records
 * `to`. Only sums of `from` (or of `to`, when a re-run finishes an apply) are brought forward; any
 * other sidecar, or none, is left for verify to report.
 */
export async function refreshBaseSums(paths: ArchivePaths, from: GidSnap, to: GidSnap, diffs: string[]): Promise<boolean> {
  const sums = await readSums(paths.sums).catch(() => null);
  if (!sums || !((sums.snap.b === from.b && sums.snap.e === from.e) || (sums.snap.b === to.b && sums.snap.e === to.e))) return false;
  const bulks = (await bulksWritten(diffs, sums.bulkSize)).filter((b) => b * sums.bulkSize < sums.sizeBytes);
  const fresh = bulks.length > 0 ? await hashImage({ path: paths.base, bulkSize: sums.bulkSize, sizeBytes: sums.sizeBytes, bulks }) : Buffer.alloc(0);
  bulks.forEach((b, i) => fresh.copy(sums.hashes, b * 8, i * 8, i * 8 + 8));
  await writeSums(paths.sums, { ...sums, snap: { b: to.b, e: to.e } });
  return true;
}

/** Sentences for the bulks that do not match (the first few by byte range, then a count). */
export function badBulkLines(label: string, sums: BaseSums, bad: number[]): string[] {
  const lines = bad.slice(0, LISTED).map((i) => {
    const end = Math.min((i + 1) * sums.bulkSize, sums.sizeBytes);
    return `${label}: bytes ${i * sums.bulkSize}..${end - 1} (bulk ${i}) do not match their checksum in base.sums`;
  });
  if (bad.length > LISTED) lines.push(`${label}: ${bad.length - LISTED} more bulks do not match their checksums`);
  return lines;
}

/** The bulks whose hashes in `actual` are not the sidecar's. */
export function differingBulks(sums: BaseSums, actual: Buffer): number[] {
  const bad: number[] = [];
  for (let i = 0; i * 8 < sums.hashes.length; i++) if (!sums.hashes.subarray(i * 8, i * 8 + 8).equals(actual.subarray(i * 8, i * 8 + 8))) bad.push(i);
  return bad;
}

export interface SumsCheck {
  /** Problems found; empty when the image is the base the sidecar vouches for. */
  problems: string[];
  sums: BaseSums | null;
}

/**
 * What can be checked without reading the image: the sidecar is there and whole, of the base
 * snapshot `snap`, and `image` (the base) has the volume's size and the sidecar's.
 */
export async function baseSums(paths: ArchivePaths, expect: { snap: GidSnap; sizeBytes: number | null; volume: string }): Promise<SumsCheck> {
  let sums: BaseSums | null;
  try {
    sums = await readSums(paths.sums);
  } catch (error) {
    return { problems: [`${(error as Error).message}; "walbctl archive verify ${expect.volume} --rebuild-checksums" writes a new one from the base as it is now`], sums: null };
  }
  if (!sums) {
    return {
      problems: [
        `${paths.sums}: missing: the base image has no checksums (an archive made before walbctl kept them), so it cannot be verified; ` +
          `"walbctl archive verify ${expect.volume} --rebuild-checksums" hashes the base as it is now and trusts it from then on`,
      ],
      sums: null,
    };
  }
  const size = (await stat(paths.base)).size;
  const problems: string[] = [];
  if (expect.sizeBytes !== null && size !== expect.sizeBytes) problems.push(`${paths.base}: the base image has ${size} bytes, the volume ${expect.sizeBytes}`);
  if (sums.sizeBytes !== size) problems.push(`${paths.base}: the base image has ${size} bytes, its checksums were made for ${sums.sizeBytes}`);
  if (sums.snap.b !== expect.snap.b || sums.snap.e !== expect.snap.e) {
    problems.push(`${paths.sums}: the checksums are of the base ${formatSnap(sums.snap)}, the base is ${formatSnap(expect.snap)}`);
  }
  return { problems, sums };
}

/** baseSums, then every bulk of the base read and compared (verify). */
export async function checkBase(paths: ArchivePaths, expect: { snap: GidSnap; sizeBytes: number | null; volume: string }, opts: { onProgress?: OnProgress } = {}): Promise<SumsCheck> {
  const pre = await baseSums(paths, expect);
  if (!pre.sums || pre.problems.length > 0) return pre;
  const sums = pre.sums;
  const actual = await hashImage({ path: paths.base, bulkSize: sums.bulkSize, sizeBytes: sums.sizeBytes }, phaseReporter(opts.onProgress, 'check'));
  return { problems: badBulkLines(paths.base, sums, differingBulks(sums, actual)), sums };
}
