/**
 * Every path a restore ever wrote on this host — the reconciler's declared restores and an operator's
 * `walbctl archive restore` alike — so that no such file is later taken for a volume's device: a
 * restored image adopted as another volume's device is overwritten by the next restore. Append-only
 * (one JSON string per line, fsynced), so a CLI restore and the daemon never lose each other's lines;
 * a torn last line is ignored.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { statePaths } from './state-paths.js';

export async function recordRestoredPath(dataDir: string, path: string): Promise<void> {
  const file = statePaths(dataDir).restoredPaths;
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, 'a', 0o644);
  try {
    // A newline first: a line a crash tore off stays on its own and never swallows this one.
    await handle.write('\n' + JSON.stringify(resolve(path)) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readRestoredPaths(dataDir: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(statePaths(dataDir).restoredPaths, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
  const paths = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const p = JSON.parse(line) as unknown;
      if (typeof p === 'string') paths.add(p);
    } catch {
      // A line torn by a crash mid-append: its restore never started writing.
    }
  }
  return paths;
}
