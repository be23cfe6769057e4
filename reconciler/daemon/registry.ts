/**
 * Where running daemons say where they listen: `$XDG_STATE_HOME/walbctl/daemons/<host>.json`
 * (`~/.local/state/...` by default). `walbctl status` finds a daemon through it when the tree it is
 * run on does not validate — exactly when status matters most.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { atomicWriteFile } from '../../common/atomic-write.js';

export interface RegistryEntry {
  host: string;
  pid: number;
  /** Base URL of the status server. */
  url: string;
  repo: string;
  dataDir: string;
  startedAt: string;
}

export function stateHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
}

export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateHome(env), 'walbctl', 'daemons');
}

export async function register(entry: RegistryEntry, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await mkdir(registryDir(env), { recursive: true });
  await atomicWriteFile(join(registryDir(env), `${entry.host}.json`), JSON.stringify(entry, null, 2) + '\n');
}

/** Removes the entry when this process wrote it. */
export async function unregister(host: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = join(registryDir(env), `${host}.json`);
  const entry = await readEntry(file);
  if (entry?.pid === process.pid) await rm(file, { force: true });
}

async function readEntry(file: string): Promise<RegistryEntry | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RegistryEntry;
  } catch {
    return null;
  }
}

export async function registeredDaemons(env: NodeJS.ProcessEnv = process.env): Promise<RegistryEntry[]> {
  let names: string[];
  try {
    names = await readdir(registryDir(env));
  } catch {
    return [];
  }
  const entries = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => readEntry(join(registryDir(env), n))));
  return entries.filter((e): e is RegistryEntry => e !== null).sort((a, b) => a.host.localeCompare(b.host));
}
