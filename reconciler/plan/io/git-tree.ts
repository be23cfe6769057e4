/**
 * A revision's copy of a tree, for `walbctl diff`: `git archive REV -- PATH` unpacked into a temp
 * directory (the working copy and the index are never touched). Arguments go to git as an array,
 * never through a shell.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { InputError } from '../../../common/errors.js';

export interface RevisionTree {
  /** The directory holding the tree as of the revision. */
  dir: string;
  sha: string;
  /** `REV@sha1:<sha>`. */
  revision: string;
  remove(): void;
}

function git(cwd: string, args: string[], what: string): Buffer {
  const r = spawnSync('git', args, { cwd, maxBuffer: 1 << 30, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  if (r.error) throw new InputError(`cannot run git to ${what}: ${r.error.message}`, cwd, { cause: r.error });
  if (r.status !== 0) throw new InputError(`git ${args[0]} failed to ${what}: ${r.stderr.toString().trim() || `exit ${r.status}`}`, cwd);
  return r.stdout;
}

export function repositoryOf(dir: string): { top: string; path: string } {
  const top = git(dir, ['rev-parse', '--show-toplevel'], 'find the repository').toString().trim();
  return { top, path: relative(realpathSync(top), realpathSync(dir)) };
}

export function materialiseRevision(dir: string, rev: string): RevisionTree {
  if (rev.startsWith('-')) throw new InputError(`not a revision: "${rev}"`, dir);
  const { top, path } = repositoryOf(dir);
  const sha = git(top, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], `resolve "${rev}"`).toString().trim();
  const tar = git(top, ['archive', '--format=tar', sha, '--', path || '.'], `read ${path || 'the tree'} at ${rev}`);
  const tmp = mkdtempSync(join(tmpdir(), 'walbctl-diff-'));
  const untar = spawnSync('tar', ['-x', '-C', tmp], { input: tar });
  if (untar.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new InputError(`cannot unpack ${rev}: ${untar.stderr?.toString().trim() || untar.error?.message}`, dir);
  }
  return {
    dir: join(tmp, path),
    sha,
    revision: `${rev}@sha1:${sha}`,
    remove: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
