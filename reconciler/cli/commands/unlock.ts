/**
 * `walbctl unlock ID`: removes a host lock left by a walbctl that is gone (Terraform's force-unlock).
 */
import { resolve } from 'node:path';

import { LockMismatchError, type LockInfo } from '../../apply/errors.js';
import { loadAllHosts } from '../../apply/host-context.js';
import { forceUnlock, isStale, readLock } from '../../apply/lock.js';
import { UsageError } from '../../../common/errors.js';
import { parse } from '../args.js';
import { defineCommand } from '../command.js';

const help = `Usage: walbctl unlock ID [DIR] [--host H] [--json]

Removes the lock with this ID from a host's data directory. The lock is held while "walbctl apply"
or the daemon changes the host; its ID, operation, who, pid and start time are in the error of the
command that found it. Use this only when that process is gone: a lock whose pid is dead on this
machine is taken over automatically anyway.

DIR is the repository tree (default: the current directory); the hosts' data directories come from
their host files. Without --host, every host of the tree is searched for the lock.

Options:
  --host H   only look at host H
  --json     print the removed lock as JSON`;

export default defineCommand({
  summary: 'remove a host lock left behind by a walbctl that is gone',
  help,
  async run(args, io) {
    const { values, positionals } = parse(args, { host: { type: 'string' }, json: { type: 'boolean' } }, { command: 'unlock', minPositionals: 1, maxPositionals: 2 });
    const [id, dirArg] = positionals;
    if (!/^[0-9a-f-]{8,64}$/i.test(id)) throw new UsageError(`unlock: "${id}" is not a lock ID (it looks like 1b4e28ba-2fa1-11d2-883f-0016d3cca427)`);
    const desired = await loadAllHosts(resolve(io.cwd, dirArg ?? '.'));
    const hosts = values.host ? [desired.hosts[values.host]].filter(Boolean) : Object.values(desired.hosts);
    if (values.host && hosts.length === 0) throw new UsageError(`unlock: host ${values.host} is not declared in the tree`);
    let seen: LockInfo | null = null;
    for (const host of hosts) {
      const holder = await readLock(host.dataDir);
      if (!holder) continue;
      if (holder.id !== id) {
        seen ??= holder;
        continue;
      }
      const removed = await forceUnlock(host.dataDir, id);
      if (values.json) io.stdout(JSON.stringify({ host: host.name, removed }, null, 2) + '\n');
      else io.stdout(`Unlocked ${host.name}: removed lock ${id} (${removed.operation} by ${removed.who}, pid ${removed.pid}${isStale(removed) ? ', not running' : ', STILL RUNNING'}, since ${removed.since}).\n`);
      return 0;
    }
    throw new LockMismatchError(id, seen);
  },
});
