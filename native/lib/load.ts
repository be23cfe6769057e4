/**
 * Loads the compiled addon. The error, when it fails, lists every path tried and what to do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The walbctl checkout (or installed package) this module belongs to. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'walbctl') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`walbctl: cannot find walbctl's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

let cached: unknown;

/** The raw addon exports; typed wrappers in native/lib narrow them. */
export function loadAddon<T = Record<string, unknown>>(): T {
  if (cached) return cached as T;
  const root = packageRoot();
  const candidates = [
    process.env.WALBCTL_NATIVE,
    join(root, 'build/Release/walb_native.node'),
    join(root, 'build/Debug/walb_native.node'),
  ].filter((p): p is string => Boolean(p));
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) {
      failures.push(`  ${path}: not found`);
      continue;
    }
    try {
      cached = require(path);
      return cached as T;
    } catch (error) {
      failures.push(`  ${path}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    `walbctl's native addon could not be loaded. Tried:\n${failures.join('\n')}\n` +
      `Build it with "npm run build:native" in ${root} (it needs g++, make, python3 and the Debian packages ` +
      `liblz4-dev libzstd-dev libsnappy-dev zlib1g-dev liblzma-dev libxxhash-dev: run scripts/setup.sh).`,
  );
}
