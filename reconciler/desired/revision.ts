/**
 * The revision of the git checkout holding a tree, `main@sha1:<sha>`, read from `.git` directly
 * (no process to spawn on every validate). Null outside a checkout or when HEAD cannot be read.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function gitRevision(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    const git = join(d, '.git');
    if (existsSync(git)) return statSync(git).isDirectory() ? readHead(git) : null;
    if (dirname(d) === d) return null;
  }
}

function readHead(git: string): string | null {
  try {
    const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return `HEAD@sha1:${head}`;
    const ref = /^ref: (refs\/heads\/(.+))$/.exec(head);
    if (!ref) return null;
    const sha = readRef(git, ref[1]);
    return sha ? `${ref[2]}@sha1:${sha}` : null;
  } catch {
    return null;
  }
}

function readRef(git: string, ref: string): string | null {
  const loose = join(git, ref);
  if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
  const packed = join(git, 'packed-refs');
  if (!existsSync(packed)) return null;
  const line = readFileSync(packed, 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
  return line ? line.slice(0, 40) : null;
}
