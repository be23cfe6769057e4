/**
 * What a stream reads its bytes from: a file (the usual case) or any byte range a sender composes,
 * such as a wlog whose packs are read straight out of a wdev's log ring (wdev/ring-wlog.ts).
 */
import { open } from 'node:fs/promises';

export interface ByteSource {
  /** Reads up to `length` bytes at `position` into `buf` at `offset`; resolves to the count (0 at the end). */
  read(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

/** Opens the source: `opener` when given, else the file at `path`. */
export async function openSource(path: string, opener?: () => Promise<ByteSource>): Promise<ByteSource> {
  if (opener) return opener();
  const fh = await open(path, 'r');
  return { read: async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead, close: () => fh.close() };
}
