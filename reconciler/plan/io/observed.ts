/**
 * Reading observed state for the plan command: a fixture file (`--observed FILE`), one file per host
 * in a directory (`--observed-dir DIR`, `<host>.json`), or the live host through observeHost.
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

import { InputError, StateError } from '../../../common/errors.js';
import type { DesiredHost, DesiredState } from '../../model/desired.js';
import type { ObservedState, ObservedVolume } from '../../../common/observed.js';
import { parseObservedState } from '../observed-json.js';
import { readTextFile } from './read-text.js';

/** The fixture's text, with a read error named. One synchronous read (read-text.ts): the CLI has
 *  nothing else to do meanwhile, and fs/promises' readFile reads a 30 MB fixture in chunks through the
 *  thread pool and a StringDecoder. */
export function readObservedText(file: string): string {
  try {
    return readTextFile(file);
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    throw new InputError(`cannot read the observed state: ${error.code ?? error.message}`, file, { cause: error });
  }
}

export async function readObservedFile(file: string): Promise<ObservedState> {
  return parseObservedState(readObservedText(file), file);
}

/** Host name → fixture file for every `<host>.json` in `dir`. */
export async function listObservedDir(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the observed-state directory: ${error.code ?? error.message}`, dir, { cause: error });
  });
  const found = new Map<string, string>();
  for (const name of entries.sort()) if (name.endsWith('.json')) found.set(name.slice(0, -5), join(dir, name));
  return found;
}

interface ObserveModule {
  observeHost: (host: DesiredHost, desired: DesiredState) => Promise<ObservedState>;
}

/** Observes the live host through reconciler/observed (the host's driver). */
export async function observeLive(host: DesiredHost, desired: DesiredState): Promise<ObservedState> {
  let mod: ObserveModule;
  try {
    mod = (await import(new URL('../../observed/index.js', import.meta.url).href)) as ObserveModule;
  } catch (error) {
    throw new StateError(`cannot observe host ${host.name}: the observer (reconciler/observed/index.ts) is not available (${(error as Error).message}); pass --observed FILE`, { cause: error });
  }
  return mod.observeHost(host, desired);
}

/**
 * Fixtures travel between machines (a CI checkout lives anywhere), so paths in an observed-state file
 * may be relative: they are taken relative to the desired-state tree's root, as the tree's own paths
 * are. Live observations always carry absolute paths and are left alone.
 */
export function resolveFixturePaths(observed: ObservedState, root: string): ObservedState {
  for (const v of Object.values(observed.volumes)) resolveVolumePaths(v, root);
  return observed;
}

/** resolveFixturePaths for one volume. */
export function resolveVolumePaths(volume: ObservedVolume, root: string): void {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(root, p));
  if (volume.storage) volume.storage.devicePath = abs(volume.storage.devicePath);
  for (const r of volume.archive?.restored ?? []) r.path = abs(r.path);
}
