// Regenerates the seed corpus: tiny wlogs (pbs 512 and 4096; writes, overlaps, zeros, discards,
// padding) from the data path's own writer, their sorted and indexed wdiffs in each compression, and
// a few of WalB's vectors. Run after "npm run build": node fuzz/corpus/make-corpus.mjs
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dp = await import(join(here, '../../dist/native/lib/index.js'));
const vectors = join(here, '../../../shared/vectors/walb');
for (const d of ['wlog', 'sorted', 'indexed']) mkdirSync(join(here, d), { recursive: true });

function block(n, seed, compressible) {
  const b = Buffer.alloc(n * 512);
  for (let i = 0; i < b.length; i++) b[i] = compressible ? (i >> 6) & 3 : (seed * 2654435761 + i * 40503) >>> 13 & 0xff;
  return b;
}

let k = 0;
for (const pbs of [512, 4096]) {
  const sets = [
    [{ kind: 'write', address: 0, blocks: 1, data: block(1, 1, false) }],
    [
      { kind: 'write', address: 8, blocks: 8, data: block(8, 2, true) },
      { kind: 'write', address: 12, blocks: 2, data: block(2, 3, false) },
      { kind: 'discard', address: 14, blocks: 5 },
      { kind: 'padding', address: 0, blocks: 2 },
      { kind: 'write', address: 30, blocks: 3, data: Buffer.alloc(3 * 512) },
    ],
    [
      { kind: 'write', address: 100, blocks: 16, data: block(16, 4, true) },
      { kind: 'flush', address: 0, blocks: 0 },
      { kind: 'write', address: 96, blocks: 8, data: block(8, 5, false) },
      { kind: 'discard', address: 110, blocks: 40 },
    ],
  ];
  for (const ios of sets) {
    const wlog = join(here, 'wlog', `seed${k}-${pbs}.wlog`);
    await dp.writeWlog(wlog, { pbs, salt: 0x1234567 * (k + 1) }, ios);
    const comp = ['none', 'gzip', 'snappy', 'lzma', 'lz4', 'zstd'][k % 6];
    await dp.convertWlog([wlog], join(here, 'sorted', `seed${k}-${comp}.wdiff`), { compression: comp, maxIoBlocks: 4 });
    await dp.convertWlog([wlog], join(here, 'indexed', `seed${k}-${comp}.iwdiff`), { compression: comp, indexed: true });
    k++;
  }
}
for (const f of ['small512.gzip.wdiff', 'small512.lzma.wdiff', 'small512.zstd.wdiff', 'small512.lz4.wdiff', 'small512.wdiff']) copyFileSync(join(vectors, f), join(here, 'sorted', f));
copyFileSync(join(vectors, 'small512.iwdiff'), join(here, 'indexed', 'small512.iwdiff'));
console.log('corpus written to', here);
