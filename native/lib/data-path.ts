/**
 * The loaded data-path addon, typed, and the argument checks every wrapper shares. Arguments are
 * validated and normalised here, in TypeScript, so C++ receives a flat, well-formed options object.
 */
import { loadAddon } from './load.js';
import { compressionNames, type CompressionName, type DataPathAddon } from './native-types.js';

export function addon(): DataPathAddon {
  return loadAddon<DataPathAddon>();
}

export function checkPaths(paths: readonly string[], what: string): string[] {
  if (!Array.isArray(paths) || paths.length === 0) throw new TypeError(`${what}: at least one file is needed`);
  for (const p of paths) if (typeof p !== 'string' || p === '') throw new TypeError(`${what}: every path must be a non-empty string`);
  return [...paths];
}

export function checkCompression(value: string | undefined, fallback: CompressionName = 'lz4'): CompressionName {
  if (value === undefined) return fallback;
  if (!(compressionNames as readonly string[]).includes(value)) {
    throw new RangeError(`unknown compression "${value}" (expected one of ${compressionNames.join(', ')})`);
  }
  return value as CompressionName;
}
