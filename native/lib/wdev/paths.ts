/**
 * Where a wdev lives inside a host's data directory: `<dataDir>/wdev/<vol>/` holds the log device
 * `ldev`, the data device `ddev`, `wdev.json` (what `create` decided), `capture.json` (snapshots and
 * the shipped position), the FUSE mount point `mnt/` (the volume file is `mnt/disk`), the control
 * socket `control.sock`, the server's `serve.log` and, while attached, the stable symlink `dev`
 * pointing at the loop device.
 */
import { join } from 'node:path';

import { memoPaths } from '../../../common/memo-paths.js';
import { checkVolumeName } from '../archive/layout.js';

export interface WdevPaths {
  dataDir: string;
  dir: string;
  ldev: string;
  ddev: string;
  config: string;
  capture: string;
  mnt: string;
  file: string;
  socket: string;
  log: string;
  dev: string;
  work: string;
}

/** The paths of a wdev volume (memoised and frozen). */
export const wdevPaths = memoPaths(buildWdevPaths);

function buildWdevPaths(dataDir: string, vol: string): WdevPaths {
  checkVolumeName(vol);
  const dir = join(dataDir, 'wdev', vol);
  const mnt = join(dir, 'mnt');
  return {
    dataDir,
    dir,
    ldev: join(dir, 'ldev'),
    ddev: join(dir, 'ddev'),
    config: join(dir, 'wdev.json'),
    capture: join(dir, 'capture.json'),
    mnt,
    file: join(mnt, 'disk'),
    socket: join(dir, 'control.sock'),
    log: join(dir, 'serve.log'),
    dev: join(dir, 'dev'),
    work: join(dir, 'work'),
  };
}
