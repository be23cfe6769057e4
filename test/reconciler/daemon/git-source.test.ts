import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { GitSource, GitSourceError, isLocalRepo } from '../../../reconciler/daemon/git-source.js';

function repo(branch = 'main'): { dir: string; commit: (file: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-src-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', branch);
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'Test');
  return {
    dir,
    commit(file, text) {
      writeFileSync(join(dir, file), text);
      git('add', file);
      git('commit', '-q', '-m', `write ${file}`);
      return git('rev-parse', 'HEAD');
    },
  };
}

describe('GitSource', () => {
  it('clones a local repository and checks out the exact commit of its HEAD branch, detached', async () => {
    const r = repo('trunk');
    const sha = r.commit('a.txt', 'one');
    const workdir = join(mkdtempSync(join(tmpdir(), 'walbctl-wc-')), 'checkout');
    const source = new GitSource({ repo: r.dir, workdir });
    const rev = await source.sync();
    expect(rev).toMatchObject({ sha, branch: 'trunk', revision: `trunk@sha1:${sha}`, subject: 'write a.txt' });
    expect(readFileSync(join(workdir, 'a.txt'), 'utf8')).toBe('one');
    expect(spawnSync('git', ['symbolic-ref', '-q', 'HEAD'], { cwd: workdir }).status).toBe(1); // detached
  }, 30_000);

  it('fetches a new commit and moves to it, throwing away local edits of tracked files', async () => {
    const r = repo();
    r.commit('a.txt', 'one');
    const workdir = join(mkdtempSync(join(tmpdir(), 'walbctl-wc-')), 'checkout');
    const dirty: string[][] = [];
    const source = new GitSource({ repo: r.dir, workdir, onDirty: (f) => dirty.push(f) });
    await source.sync();
    const sha2 = r.commit('a.txt', 'two');
    writeFileSync(join(workdir, 'a.txt'), 'edited by hand');
    const rev = await source.sync();
    expect(rev.sha).toBe(sha2);
    expect(readFileSync(join(workdir, 'a.txt'), 'utf8')).toBe('two');
    expect(dirty).toEqual([['a.txt']]);
  }, 30_000);

  it('fails with a retryable error naming the repository when the branch does not exist', async () => {
    const r = repo();
    r.commit('a.txt', 'one');
    const source = new GitSource({ repo: r.dir, branch: 'nope', workdir: join(mkdtempSync(join(tmpdir(), 'walbctl-wc-')), 'c') });
    const error = await source.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitSourceError);
    expect((error as GitSourceError).retryable).toBe(true);
    expect((error as Error).message).toContain('branch "nope" not found');
  }, 30_000);

  it('fails when the repository is not there, without prompting', async () => {
    const source = new GitSource({ repo: join(tmpdir(), 'no-such-repo-walbctl'), workdir: join(mkdtempSync(join(tmpdir(), 'walbctl-wc-')), 'c') });
    await expect(source.sync()).rejects.toBeInstanceOf(GitSourceError);
  }, 30_000);

  it('tells local paths from URLs', () => {
    expect(isLocalRepo('.')).toBe(true);
    expect(isLocalRepo('/srv/fleet')).toBe(true);
    expect(isLocalRepo('file:///srv/fleet')).toBe(true);
    expect(isLocalRepo('https://example.com/fleet.git')).toBe(false);
    expect(isLocalRepo('git@example.com:fleet.git')).toBe(false);
  });
});
