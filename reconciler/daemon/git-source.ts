/**
 * The daemon's view of the repository: its own working copy, cloned once and fetched after, checked
 * out at the exact commit the branch points to (`checkout --detach`, never `pull`). Every git command
 * fails on any non-zero exit, never prompts for credentials, and times out.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { simpleGit, type SimpleGit } from 'simple-git';

import { WalbctlError } from '../../common/errors.js';

/** A git command failed (network, missing branch, not a repository). Retryable: the next fetch may work. */
export class GitSourceError extends WalbctlError {
  constructor(readonly repo: string, detail: string, options: { cause?: unknown } = {}) {
    super('git-source', `${repo}: ${detail}`, { ...options, retryable: true });
  }
}

export interface SourceRevision {
  sha: string;
  branch: string;
  /** `main@sha1:<sha>`. */
  revision: string;
  /** First line of the commit message, for logs. */
  subject: string;
}

export interface GitSourceOptions {
  /** A URL or a local path. */
  repo: string;
  /** The branch to follow; by default the remote's HEAD branch. */
  branch?: string;
  /** The daemon's own working copy. */
  workdir: string;
  /** Milliseconds a git command may stay silent before it is killed. */
  timeoutMs?: number;
  /** Called when the working copy had local changes that checkout threw away. */
  onDirty?: (files: string[]) => void;
}

/** Is `repo` a path on this machine (as opposed to a URL or scp-like address)? */
export function isLocalRepo(repo: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) return repo.startsWith('file://');
  if (/^[^/]+@[^/]+:/.test(repo)) return false;
  return true;
}

export function localRepoPath(repo: string, cwd: string): string {
  const path = repo.startsWith('file://') ? new URL(repo).pathname : repo;
  return isAbsolute(path) ? path : resolve(cwd, path);
}

export class GitSource {
  private git: SimpleGit | null = null;
  private branch: string | null = null;
  private current: SourceRevision | null = null;

  constructor(private readonly options: GitSourceOptions) {}

  get workdir(): string {
    return this.options.workdir;
  }

  private client(baseDir: string): SimpleGit {
    return simpleGit({
      baseDir,
      timeout: { block: this.options.timeoutMs ?? 120_000 },
      allowEnvironment: ['GIT_TERMINAL_PROMPT'],
      errors(error, result) {
        if (error) return error;
        if (result.exitCode !== 0) {
          const stderr = Buffer.concat(result.stdErr).toString('utf8').trim();
          return new Error(`git exited with code ${result.exitCode}${stderr ? `: ${stderr}` : ''}`);
        }
        return undefined;
      },
    }).env({ GIT_TERMINAL_PROMPT: '0', PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' });
  }

  /**
   * For a local repository whose branch we follow already: the sha the branch points to, read from
   * its git directory (loose ref, then packed-refs) without spawning git; null when it cannot tell.
   */
  private async peekLocalBranch(): Promise<string | null> {
    if (!this.branch || !this.current || !isLocalRepo(this.options.repo)) return null;
    const gitDir = join(localRepoPath(this.options.repo, '/'), '.git');
    try {
      const loose = (await readFile(join(gitDir, 'refs', 'heads', ...this.branch.split('/')), 'utf8')).trim();
      if (/^[0-9a-f]{40}$/.test(loose)) return loose;
    } catch {
      // not a loose ref: look in packed-refs
    }
    try {
      const packed = await readFile(join(gitDir, 'packed-refs'), 'utf8');
      const line = packed.split('\n').find((l) => l.endsWith(` refs/heads/${this.branch}`));
      return line && /^[0-9a-f]{40} /.test(line) ? line.slice(0, 40) : null;
    } catch {
      return null;
    }
  }

  /** Clones (first time) or fetches, then checks out the branch's commit. */
  async sync(): Promise<SourceRevision> {
    const { repo, workdir } = this.options;
    // An idle pass on a local repository costs two file reads; git runs only when the branch moved.
    if (this.current && (await this.peekLocalBranch()) === this.current.sha) return this.current;
    try {
      const fresh = !existsSync(join(workdir, '.git'));
      if (fresh) {
        await mkdir(dirname(workdir), { recursive: true });
        await this.client(dirname(workdir)).raw(['clone', '--no-checkout', '--origin', 'origin', '--', repo, workdir]);
      }
      let git = this.git;
      if (!git) {
        // Once per process: point origin at the repository given, learn the branch.
        git = this.client(workdir);
        await git.raw(['remote', 'set-url', 'origin', repo]);
        this.git = git;
      }
      await git.raw(['fetch', '--prune', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*']);
      const branch = (this.branch ??= this.options.branch ?? (await this.remoteHeadBranch(git)));
      const sha = (await git.raw(['rev-parse', '--verify', '--end-of-options', `refs/remotes/origin/${branch}^{commit}`]).catch((error: unknown) => {
        throw new GitSourceError(repo, `branch "${branch}" not found`, { cause: error });
      })).trim();
      // An idle pass on a URL costs two git processes: fetch and rev-parse.
      if (this.current?.sha === sha) return this.current;
      await this.checkout(git, sha, fresh);
      const subject = (await git.raw(['log', '-1', '--format=%s', sha])).trim();
      this.current = { sha, branch, revision: `${branch}@sha1:${sha}`, subject };
      return this.current;
    } catch (error) {
      if (error instanceof GitSourceError) throw error;
      throw new GitSourceError(repo, (error as Error).message, { cause: error });
    }
  }

  /**
   * Files of a local repository's working tree that differ from its HEAD (under `paths`): edits the
   * daemon will not see until they are committed. Empty for a URL.
   */
  async uncommittedInRepository(paths: string[]): Promise<string[]> {
    if (!isLocalRepo(this.options.repo)) return [];
    const out = await this.client(localRepoPath(this.options.repo, '/')).raw(['status', '--porcelain', '--untracked-files=all', '--', ...paths]);
    return out.split('\n').filter(Boolean).map((l) => l.slice(3));
  }

  private async remoteHeadBranch(git: SimpleGit): Promise<string> {
    const out = await git.raw(['ls-remote', '--symref', 'origin', 'HEAD']);
    const m = out.match(/^ref: refs\/heads\/(\S+)\tHEAD$/m);
    if (!m) throw new GitSourceError(this.options.repo, 'cannot tell the default branch (detached HEAD?): pass --branch');
    return m[1];
  }

  private async checkout(git: SimpleGit, sha: string, fresh: boolean): Promise<void> {
    if (fresh) {
      await git.raw(['checkout', '--detach', '--force', sha]);
      return;
    }
    const head = (await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '')).trim();
    const dirty = (await git.raw(['status', '--porcelain', '--untracked-files=no'])).split('\n').filter(Boolean);
    if (dirty.length > 0) this.options.onDirty?.(dirty.map((l) => l.slice(3)));
    if (head === sha && dirty.length === 0) return;
    await git.raw(['checkout', '--detach', '--force', sha]);
  }
}
