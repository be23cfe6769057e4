/**
 * Watches a local repository for new commits: the branch refs, packed-refs and HEAD inside its git
 * directory (chokidar). Each change asks for one reconcile pass; bursts (a commit touches several
 * files) fold into one after a short quiet time. The work item is the host, never the event.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { watch, type FSWatcher } from 'chokidar';

export interface RepoWatcher {
  close(): Promise<void>;
}

/** Starts watching; null when `repoPath` has no `.git` directory (a worktree or a bare repository). */
export function watchRepository(repoPath: string, onChange: () => void, options: { quietMs?: number } = {}): RepoWatcher | null {
  const gitDir = join(repoPath, '.git');
  if (!existsSync(gitDir) || !statSync(gitDir).isDirectory()) return null;
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, options.quietMs ?? 300);
  };
  const watcher: FSWatcher = watch([join(gitDir, 'refs', 'heads'), join(gitDir, 'packed-refs'), join(gitDir, 'HEAD')], {
    ignoreInitial: true,
    ignored: (path) => path.endsWith('.lock'),
    persistent: true,
  });
  watcher.on('all', fire);
  return {
    async close() {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
