/**
 * Test helpers for the proxy: a simulated storage that writes real WalB wlog batches (the data
 * path's own logpack writer) while keeping the device image each gid should restore to, and real
 * archives (this host's archive code) to forward into.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';

import { initArchiveVolume } from '../../../native/lib/archive/lifecycle.js';
import { addDiff, receiveFullBackup } from '../../../native/lib/archive/receive.js';
import { restore } from '../../../native/lib/archive/restore.js';
import { writeWlog } from '../../../native/lib/wlog.js';
import type { BatchMeta } from '../../../native/lib/proxy/admit.js';
import type { Sender } from '../../../native/lib/proxy/forward.js';
import { readFile, stat } from 'node:fs/promises';

export function tempRoot(prefix = 'walbctl-proxy-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sha1(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex');
}

export const SIZE = 4 << 20;
export const PBS = 4096;

/** A storage volume that exists only as batches: each batch is random writes, one wlog, one gid. */
export class BatchSource {
  readonly uuid = randomBytes(16);
  readonly salt = 0x5a17 + Math.floor(Math.random() * 1000);
  image = Buffer.alloc(SIZE);
  lsid = 0;
  gid = 0;
  prevExplicit = false;
  /** sha1 of the image at each gid. */
  readonly shaAt = new Map<number, string>([[0, sha1(Buffer.alloc(SIZE))]]);
  private n = 0;

  constructor(readonly dir: string, readonly volume = 'v', private seed = 1) {}

  private rand(): number {
    this.seed = (this.seed * 1103515245 + 12345) >>> 0;
    return this.seed / 2 ** 32;
  }

  /** Writes `writes` random IOs as a wlog; returns its path and the batch's meta (gid → gid+1). */
  async next(opts: { writes?: number; explicit?: boolean } = {}): Promise<{ wlog: string; meta: BatchMeta }> {
    const ios = [];
    for (let i = 0; i < (opts.writes ?? 8); i++) {
      const blocks = 8 * (1 + Math.floor(this.rand() * 16));
      const address = 8 * Math.floor(this.rand() * ((SIZE / 512 - blocks) / 8));
      const data = Buffer.alloc(blocks * 512, Math.floor(this.rand() * 255) + 1);
      data.writeUInt32LE(this.n++, 0);
      data.copy(this.image, address * 512);
      ios.push({ kind: 'write' as const, address, blocks, data });
    }
    const wlog = join(this.dir, `batch-${this.gid}.wlog`);
    const begin = this.lsid;
    const { endLsid } = await writeWlog(wlog, { pbs: PBS, salt: this.salt, uuid: this.uuid, beginLsid: begin }, ios);
    const meta: BatchMeta = {
      volume: this.volume,
      device: { uuid: this.uuid.toString('hex'), pbs: PBS, salt: this.salt, sizeBytes: SIZE },
      lsid: { b: begin, e: endLsid },
      diff: { b: { b: this.gid, e: this.gid }, e: { b: this.gid + 1, e: this.gid + 1 }, mergeable: !this.prevExplicit, compared: false, timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      explicitEnd: opts.explicit ?? false,
      wlogBytes: (await stat(wlog)).size,
    };
    this.lsid = endLsid;
    this.gid += 1;
    this.prevExplicit = opts.explicit ?? false;
    this.shaAt.set(this.gid, sha1(this.image));
    return { wlog, meta };
  }
}

/** An archive volume on this host whose base is the all-zero image at gid 0. */
export async function archiveWithBase(dataDir: string, vol: string, uuid: Buffer): Promise<void> {
  await initArchiveVolume(dataDir, vol);
  await receiveFullBackup(dataDir, vol, {
    deviceUuid: uuid.toString('hex'),
    sizeBytes: SIZE,
    snap: { b: 0, e: 0 },
    timestamp: new Date().toISOString(),
    id: 'test',
    produce: async (tmp) => writeFile(tmp, Buffer.alloc(SIZE)),
  });
}

/** A Sender into archives on this host: `<root>/<archive>` is each archive's data directory. */
export function localSender(root: string): Sender {
  return async (r) => {
    await addDiff(join(root, r.archive), r.volume, { source: r.file, diff: r.diff, explicitEnd: r.explicitEnd });
  };
}

export async function restoredSha(dataDir: string, vol: string, gid: number, out: string): Promise<string> {
  await restore(dataDir, vol, gid, { path: out, mode: 'copy' });
  return sha1(await readFile(out));
}
