/**
 * The checks an archive makes before it takes a volume's data, as typed rejects: the volume is
 * there, not stopped, not busy with an action that excludes a receive, and the disk has room.
 */
import { statfs } from 'node:fs/promises';

import { archivePaths } from '../../archive/layout.js';
import type { ArchiveMeta } from '../../archive/meta.js';
import { liveActions, readStateOrClear } from '../../archive/volume.js';
import { WireReject } from '../protocol/rejects.js';

/** `allow`: actions that do not keep this transfer out (the diff kind takes a diff while the one before it installs). */
export async function admitArchive(dataDir: string, vol: string, allow: readonly string[] = []): Promise<ArchiveMeta> {
  const { meta } = await readStateOrClear(archivePaths(dataDir, vol));
  if (!meta) throw new WireReject('not-found', `no archive of volume ${vol} on this host`);
  if (meta.state === 'Stopped') throw new WireReject('stopped', `the archive of ${vol} is stopped`);
  const busy = liveActions(meta).find((a) => a.name !== 'restore' && a.name !== 'verify' && !allow.includes(a.name));
  if (busy) throw new WireReject('busy', `the archive of ${vol} runs ${busy.name} (pid ${busy.pid})`);
  return meta;
}

export async function admitSpace(dataDir: string, vol: string, bytes: number): Promise<void> {
  const s = await statfs(dataDir);
  const free = Number(s.bavail) * Number(s.bsize);
  if (free < bytes) throw new WireReject('no-space', `${vol} needs ${bytes} bytes, ${dataDir} has ${free} free`);
}
