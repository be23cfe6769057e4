/**
 * Reads that bypass the page cache (the addon's openDirect/readDirect, native/src/sys/direct_read.cc),
 * for a file another process writes with O_DIRECT: the wdev's log ring, which the shipper reads
 * back while the wdev server writes on. A buffered read there copies every block through the page
 * cache and leaves the ring's pages cached, which makes each later direct log write invalidate them.
 */
import { open } from 'node:fs/promises';
import { close } from 'node:fs';

import { loadAddon } from './load.js';

interface DirectReadAddon {
  openDirect(path: string): number;
  readDirect(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
}

export interface ReadHandle {
  /** Whether reads bypass the page cache (false: the file system refused O_DIRECT, or WALBCTL_NO_DIRECT_IO=1). */
  direct: boolean;
  /** Up to `length` bytes at `position` into `buf` at `offset`; fewer only at the end of the file. */
  read(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

function directDisabled(): boolean {
  const v = process.env.WALBCTL_NO_DIRECT_IO;
  return v !== undefined && v !== '' && v !== '0';
}

/** Opens `path` for direct reads where its file system allows them, else for buffered reads. */
export async function openForDirectReads(path: string): Promise<ReadHandle> {
  if (!directDisabled()) {
    const addon = loadAddon<DirectReadAddon>();
    const fd = addon.openDirect(path);
    if (fd >= 0) {
      return {
        direct: true,
        read: (buf, offset, length, position) =>
          addon.readDirect(fd, buf, offset, length, position).catch((e: Error) => {
            throw new Error(`${path}: ${e.message}`);
          }),
        close: () => new Promise<void>((resolve, reject) => close(fd, (e) => (e ? reject(e) : resolve()))),
      };
    }
  }
  const fh = await open(path, 'r');
  return { direct: false, read: async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead, close: () => fh.close() };
}
