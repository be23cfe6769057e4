// Prints the sources of the walbctl-wdev executable for binding.gyp: every .cc of native/wdev and of
// native/src/format (WalB's codecs, plain C++ without N-API). Prints nothing when libfuse3's
// development files are missing, so the addon still builds and "walbctl wdev" says what is missing.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;
const mode = process.argv[2] ?? 'sources';
let fuse = true;
try {
  execFileSync('pkg-config', ['--exists', 'fuse3'], { stdio: 'ignore' });
} catch {
  fuse = false;
}
if (mode === 'type') {
  console.log(fuse ? 'executable' : 'none');
} else if (fuse) {
  const list = (dir) => readdirSync(root + dir).filter((f) => f.endsWith('.cc')).sort().map((f) => `${dir}/${f}`);
  console.log([...list('native/wdev'), ...list('native/src/format')].join(' '));
}
