import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

/** A new uuid as 32 hex digits (WalB keeps uuids as 16 raw bytes). */
export function newUuid(): string {
  return randomBytes(16).toString('hex');
}

/** The device uuid in a wdiff's 32-byte file header (bytes 16..32), as hex. */
export async function wdiffUuid(path: string): Promise<string> {
  const h = await open(path, 'r');
  try {
    const buf = Buffer.alloc(32);
    const { bytesRead } = await h.read(buf, 0, 32, 0);
    if (bytesRead < 32) return '';
    return buf.subarray(16, 32).toString('hex');
  } finally {
    await h.close();
  }
}
