// Prints the addon's C++ sources for binding.gyp: every .cc below native/src, so that adding an
// operation never means editing the build file. Paths are relative to the package root.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.cc') ? [join(dir, e.name)] : []);
console.log(walk(join(root, 'native/src')).map((p) => relative(root, p)).sort().join(' '));
