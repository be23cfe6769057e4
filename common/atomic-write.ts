/**
 * Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over
 * the target, fsync the directory. A reader sees the old file or the new one, never a half.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let made = 0;
const TEMP_NAME = /^\.tmp-.*\.(\d+)\.[0-9a-z]{8,}$/;

/**
 * The temporary name used beside `target`: `.tmp-<name>.<pid>.<8 hex digits>`; `.tmp-` files are
 * never read as data, and the pid lets recovery tell a temp file a dead process left from one being
 * written (tempOwner). The 32 bits are a counter in the low 12 (distinct within this process for
 * 4096 names in a row) under 20 random ones (against a dead process of the same pid); opened with
 * `wx`, a clash fails, it does not overwrite. Not node:crypto: importing it costs every command
 * 12-23 ms of start-up on the machines walbctl is measured on.
 */
export function tempPathFor(target: string): string {
  const bits = ((Math.floor(Math.random() * 0x10_0000) << 12) | (made++ & 0xfff)) >>> 0;
  return join(dirname(target), `.tmp-${basename(target)}.${process.pid}.${bits.toString(16).padStart(8, '0')}`);
}

/**
 * The pid that made a temp file, or null when `name` is not a temp name. The suffix is 8 hex digits;
 * builds of 2026-12-06/07 (b90cbdb up to this fix) wrote a base-36 counter before them, which their
 * recovery did not recognise: those are taken too, so what they left is cleaned up.
 */
export function tempOwner(name: string): number | null {
  const m = TEMP_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `target` with `data` atomically and durably. */
export async function atomicWriteFile(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(target);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(target));
}

/**
 * Runs `produce(tmpPath)` to write a file (a native writer, say), then fsyncs and renames it over
 * `target`. When `produce` throws, the temporary file is removed and `target` is untouched.
 */
export async function atomicProduce<T>(target: string, produce: (tmpPath: string) => Promise<T>): Promise<T> {
  const tmp = tempPathFor(target);
  let result: T;
  try {
    result = await produce(tmp);
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(target));
  return result;
}
