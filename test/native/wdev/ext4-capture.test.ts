// An ext4 file system on the attached wdev: snapshots taken while it is mounted (frozen for the
// moment of the snapshot) restore from the archive to images that fsck cleanly and hold exactly
// the files the volume had at each gid.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { restore } from '../../../native/lib/archive/restore.js';
import { attachWdev } from '../../../native/lib/wdev/attach.js';
import { backupWdev, snapshotWdev } from '../../../native/lib/wdev/capture.js';
import { createWdev } from '../../../native/lib/wdev/create.js';
import { serveWdev } from '../../../native/lib/wdev/serve.js';
import { wdevStatus } from '../../../native/lib/wdev/status.js';
import { Scratch, sh, sha1, wdevSkipReason } from './fixture.js';

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.name === 'lost+found') continue;
      if (e.isDirectory()) walk(p);
      else out[relative(root, p)] = sha1(readFileSync(p));
    }
  };
  walk(root);
  return out;
}

function writeTree(root: string, prefix: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const dir = join(root, prefix, `d${i % 5}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.bin`), randomBytes(1 + ((i * 7919) % 200_000)));
  }
}

const skip = wdevSkipReason('mkfs.ext4', 'fsck.ext4', 'fsfreeze', 'losetup');

describe.skipIf(skip)('an ext4 file system on a wdev', () => {
  const s = new Scratch('ext4');
  const vol = 'ext';
  const mnt = join(s.dir, 'fs');
  const trees: Record<number, Record<string, string>> = {};

  beforeAll(async () => {
    s.volume(vol);
    await createWdev(s.dataDir, vol, { sizeBytes: 48 << 20, ringBytes: 16 << 20 });
    await serveWdev(s.dataDir, vol);
    await backupWdev(s.dataDir, vol);
  }, 120_000);
  afterAll(() => s.cleanup(), 120_000);

  it('takes snapshots of a mounted file system whose restored images fsck cleanly and match file by file', { timeout: 180_000 }, async () => {
    const { device } = await attachWdev(s.dataDir, vol);
    expect(await attachWdev(s.dataDir, vol)).toMatchObject({ device, attached: false }); // idempotent, same stable path
    sh('mkfs.ext4', ['-q', '-F', device]);
    mkdirSync(mnt);
    sh('mount', [device, mnt]);
    s.mount(mnt);

    writeTree(mnt, 'first', 60);
    sh('fsfreeze', ['-f', mnt]);
    const g1 = (await snapshotWdev(s.dataDir, vol))!;
    sh('fsfreeze', ['-u', mnt]);
    trees[g1.gid] = tree(mnt);

    writeTree(mnt, 'second', 40);
    rmSync(join(mnt, 'first', 'd1'), { recursive: true });
    writeFileSync(join(mnt, 'first', 'd0', 'f0.bin'), randomBytes(300_000));
    sh('fsfreeze', ['-f', mnt]);
    const g2 = (await snapshotWdev(s.dataDir, vol))!;
    sh('fsfreeze', ['-u', mnt]);
    trees[g2.gid] = tree(mnt);

    expect(g2.gid).toBe(g1.gid + 1);
    expect(Object.keys(trees[g1.gid]!).length).toBe(60);
    const st = await wdevStatus(s.dataDir, vol);
    expect(st.oldestLsid).toBe(g2.lsid); // shipped log is freed
    expect(st.overflow).toBe(false);

    for (const gid of [g1.gid, g2.gid]) {
      const img = join(s.dir, `restored-${gid}.img`);
      await restore(s.dataDir, vol, gid, { path: img });
      expect(statSync(img).size).toBe(48 << 20);
      const fsck = spawnSync('fsck.ext4', ['-n', '-f', img], { encoding: 'utf8' });
      expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
      const rmnt = join(s.dir, `r${gid}`);
      mkdirSync(rmnt);
      sh('mount', ['-o', 'ro,loop,noload', img, rmnt]);
      s.mount(rmnt);
      try {
        expect(tree(rmnt)).toEqual(trees[gid]);
      } finally {
        sh('umount', [rmnt]);
      }
    }
  });
});
