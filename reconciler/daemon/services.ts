/**
 * What a long-running daemon serves besides its loop, started once the first revision validated
 * (the address is in the host file): the status server, its entry in the registry, and the watcher
 * of a local repository.
 */
import { relative } from 'node:path';

import type { Logger } from 'pino';

import { StateError } from '../../common/errors.js';
import type { DesiredHost } from '../model/desired.js';
import { parseListen } from './listen.js';
import { register, unregister } from './registry.js';
import { startStatusServer, type StatusServerHandlers } from './server.js';
import { watchRepository, type RepoWatcher } from './watch.js';

export interface DaemonServices {
  port: number;
  close(): Promise<void>;
}

export async function startServices(
  host: DesiredHost,
  handlers: StatusServerHandlers & { newCommit(): void },
  options: { listen?: string; repo: string; repoPath: string | null; cwd: string; startedAt: string; log: Logger },
): Promise<DaemonServices> {
  const { log } = options;
  const listen = parseListen(options.listen ?? host.daemon.listen, `${host.source.file}: daemon.listen`);
  const server = await startStatusServer(listen, handlers).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new StateError(`${listen.host}:${listen.port} (daemon.listen of host ${host.name}) is in use: is a daemon for ${host.name} running already? ("walbctl status --host ${host.name}")`, { cause: error });
  });
  const url = `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${server.port}`;
  log.info(`status on ${url}/status, metrics on ${url}/metrics`);
  let registered = true;
  await register({ host: host.name, pid: process.pid, url, repo: options.repo, dataDir: host.dataDir, startedAt: options.startedAt }).catch((error: unknown) => {
    registered = false;
    log.warn({ err: error }, 'cannot record the daemon in the registry: walbctl status finds it through the host file only');
  });
  let watcher: RepoWatcher | null = null;
  if (options.repoPath) {
    watcher = watchRepository(options.repoPath, handlers.newCommit);
    if (watcher) log.info(`watching ${relative(options.cwd, options.repoPath) || '.'} for new commits`);
  }
  return {
    port: server.port,
    async close() {
      await watcher?.close();
      await server.close();
      if (registered) await unregister(host.name).catch(() => {});
    },
  };
}
