/**
 * `vol full-backup --to HOST`: the same full backup the daemon makes for a primary archive on another
 * host — scanned into this host's outbox, then sent over the wire (resumable; the archive installs and
 * registers it before it answers) — with the send's progress on the terminal.
 */
import { loadAllHosts } from '../../../apply/host-context.js';
import { ensureOutbox, ship } from '../../../drivers/native/remote-archive.js';
import { UsageError } from '../../../../common/errors.js';
import type { OnProgress } from '../../../../native/lib/archive/progress.js';
import { fullBackup, type FullBackupResult } from '../../../../native/lib/storage/index.js';
import type { ShipResult } from '../../../drivers/native/remote-archive.js';

export async function fullBackupTo(treeDir: string, hostName: string | undefined, vol: string, to: string, onProgress?: OnProgress): Promise<{ backup: FullBackupResult; ship: ShipResult }> {
  if (!hostName) throw new UsageError('vol full-backup --to HOST needs --host NAME (the storage host, from the tree in the current directory)');
  const desired = await loadAllHosts(treeDir);
  const host = desired.hosts[hostName];
  if (!host) throw new UsageError(`vol full-backup: host ${hostName} is not in the tree at ${treeDir}`);
  const volume = host.volumes[vol] ?? null;
  if (!desired.hosts[to]) throw new UsageError(`vol full-backup --to: host ${to} is not in the tree at ${treeDir}`);
  const outbox = await ensureOutbox(host, vol);
  const backup = await fullBackup(host.dataDir, vol, { archiveDataDir: outbox, ...(onProgress ? { onProgress } : {}) });
  const ctx = { host, volume, volumeName: vol, desired, planCreatedAt: new Date().toISOString() };
  const sent = await ship(`${hostName}/${vol}:full-backup`, ctx, to, (done, total) => onProgress?.({ phase: `send to ${to}`, done, total }));
  return { backup, ship: sent };
}
