/**
 * The Quick start's run line, run as README prints it: the embedded default (hosts/local.yaml and
 * hosts/backup.yaml) in a fresh repository made from this checkout's tree, started by README's own
 * command after its `bash scripts/setup.sh &&` (the build is done already). The only change to the
 * tree is the ports: other engineers' tests run on this machine, so each listen address gets a free
 * port of the same loopback address. The test waits (bounded) for what a newcomer is promised: the
 * certificates made on first start, demo's backups leaving host local for host backup over the wire,
 * `walbctl status` showing the link, and restorable gids on backup that hold what demo held.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { deleteRestored, observeArchive, restore } from '../../native/lib/archive/index.js';
import { withLock } from '../../native/lib/archive/lock.js';
import { observeStorage, storagePaths } from '../../native/lib/storage/index.js';
import { projectRoot, walbctlProcess } from '../helpers/cli.js';
import { waitFor, whenNotBusy, type RunningDaemon } from './daemon-harness.js';
import { freePortOn, hasOpenssl, startCommandLine, stopDaemons } from './fleet-harness.js';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
const runLine = readme.match(/<!-- quick-start:run -->\n```sh\n(.*)\n```/)?.[1] ?? '';
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

/** A copy of the checkout's tree in a new git repository, each listen address on a free port. */
async function treeCopy(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-quickstart-'));
  cpSync(join(projectRoot, 'hosts'), join(dir, 'hosts'), { recursive: true });
  cpSync(join(projectRoot, 'templates'), join(dir, 'templates'), { recursive: true });
  copyFileSync(join(projectRoot, '.gitignore'), join(dir, '.gitignore'));
  symlinkSync(join(projectRoot, 'bin'), join(dir, 'bin'));
  for (const f of readdirSync(join(dir, 'hosts'))) {
    const path = join(dir, 'hosts', f);
    let text = readFileSync(path, 'utf8');
    for (const m of [...text.matchAll(/listen: (127\.0\.0\.\d+):(\d+)/g)]) text = text.replace(m[0], `listen: ${m[1]}:${await freePortOn(m[1]!)}`);
    writeFileSync(path, text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=e2e@example.com', '-c', 'user.name=E2E', 'add', 'hosts', 'templates', '.gitignore');
  git('-c', 'user.email=e2e@example.com', '-c', 'user.name=E2E', 'commit', '-q', '-m', 'the embedded default');
  return dir;
}

const running: RunningDaemon[] = [];
let dir = '';
afterAll(async () => {
  await stopDaemons(running);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('The Quick start run line', () => {
  it('starts hosts local and backup, makes their certificates, and demo\'s backups leave local for backup over the wire, restorable there', { timeout: 240_000 }, async () => {
    const command = runLine.replace(/^bash scripts\/setup\.sh && /, '');
    expect(command).toMatch(/^node bin\/walbctl\.js daemon /);
    dir = await treeCopy();
    const started = Date.now();
    const d = startCommandLine(command, dir);
    running.push(d);
    const local = join(dir, 'data', 'local');
    const backup = join(dir, 'data', 'backup');
    const logs = d.logs;

    // A backup left local: backup holds a snapshot after the full backup, sent over the wire.
    await waitFor('backup to hold a restorable snapshot of demo', async () => ((await observeArchive(backup, 'demo'))?.restorable.at(-1)?.gid ?? 0) > 1, { timeoutMs: 90_000, logs });
    console.log(`embedded default: first snapshot restorable on backup ${((Date.now() - started) / 1000).toFixed(1)} s after the start`);
    expect(d.logs.some((l) => l.daemon === 'local' && /full-backup done .*to backup/.test(String(l.msg)))).toBe(true);

    // Certificates made on first start, in the data directories, keys 0600, nothing for git to see.
    for (const key of [join(local, 'tls', 'local.key'), join(backup, 'tls', 'backup.key')]) expect((statSync(key).mode & 0o777).toString(8)).toBe('600');
    const caKeys = [local, backup].filter((h) => { try { return statSync(join(h, 'tls', 'ca.key')).isFile(); } catch { return false; } });
    expect(caKeys).toHaveLength(1);
    expect(execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' }).split('\n').filter((l) => l && !l.endsWith(' bin'))).toEqual([]);

    // walbctl status, from the checkout, shows local's link to backup: up, bytes sent, transfers done.
    const text = await waitFor('walbctl status to show the link to backup', () => {
      const r = walbctlProcess(['status'], { cwd: dir, env: d.env });
      return /^\s+link backup\s+up\b.*sent [0-9.]+ (B|KiB|MiB).*transfers [1-9]\d* done/m.test(r.stdout) ? r.stdout : null;
    }, { timeoutMs: 30_000, logs });
    expect(text).toMatch(/^Host backup: daemon pid \d+/m);
    expect(text).toMatch(/^Host local: daemon pid \d+/m);
    // local's row of demo names the newest snapshot backup holds (its status call's answer).
    expect(text.split(/^Host local:/m)[1]).toMatch(/^ {2}demo\s+\S+\s+\S+\s+gid \d+, \d+\w* ago\s+[1-9]/m);

    // New data in demo (written under the storage lock, as every storage operation takes it) reaches backup.
    const device = join(local, 'volumes', 'demo.img');
    const writes: { after: number; sha: string }[] = [{ after: -1, sha: sha1(device) }];
    await withLock(storagePaths(local, 'demo').lock, async () => {
      const after = (await observeStorage(local, 'demo'))!.latestGid ?? 0;
      const h = await open(device, 'r+');
      try {
        for (let i = 0; i < 16; i++) await h.write(randomBytes(4096), 0, undefined, 4096 * Math.floor(Math.random() * 16000));
        await h.sync();
      } finally {
        await h.close();
      }
      writes.push({ after, sha: sha1(device) });
    }, { volume: 'demo', operation: 'test-write', timeoutMs: 30_000 });
    await waitFor('the write to reach backup in a snapshot', async () => ((await observeArchive(backup, 'demo'))?.restorable.at(-1)?.gid ?? 0) > writes[1]!.after, { timeoutMs: 90_000, logs });

    // Every restorable gid on backup holds what demo held when that gid's snapshot was taken.
    const restorable = (await observeArchive(backup, 'demo'))!.restorable;
    const out = join(dir, 'restored.img');
    for (const r of restorable) {
      // backup's daemon restores the newest gid itself (the tree's `restores`): wait for its turn.
      await whenNotBusy(() => restore(backup, 'demo', r.gid, { path: out, mode: 'copy' }));
      expect({ gid: r.gid, sha1: sha1(out) }).toEqual({ gid: r.gid, sha1: writes.filter((w) => w.after < r.gid).at(-1)!.sha });
      await whenNotBusy(() => deleteRestored(backup, 'demo', r.gid, { path: out }));
      rmSync(out, { force: true });
    }
    expect(restorable.length).toBeGreaterThanOrEqual(2);

    // Ctrl-C's signal stops both hosts; the process exits cleanly.
    d.child.kill('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(d.logs.filter((l) => l.msg === 'stopped').map((l) => l.daemon).sort()).toEqual(['backup', 'local']);
  });
});
