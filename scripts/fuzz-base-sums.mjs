#!/usr/bin/env node
// Fuzzes the base image's integrity check (native/lib/archive/base-sums.md) for N seconds on one core:
// the sidecar's reader (decodeSums) with mutated files, and the check itself (hashImage against the
// sidecar, as verify and restore use it) with mutated images. The reader is TypeScript, so this is a
// mutation fuzzer in Node rather than a libFuzzer target; coverage is V8's block coverage of the two
// modules under test. Usage: node scripts/fuzz-base-sums.mjs [seconds=60] [seed]
// Needs `npm run build`. Runs niced when started by scripts/fuzz-readers.sh. Every failing input is
// written to fuzz/artifacts/base_sums/ and the process exits 1.
//
// Invariants checked on every execution:
//  R1 decodeSums of a buffer that differs from a valid file throws an InputError whose message names
//     the file and a byte offset inside (or at the end of) the buffer — never another exception type,
//     never a result (a CRC-32 collision would be reported as a failure, so we would see it).
//  R2 decodeSums of the unmutated file returns exactly what was encoded.
//  C1 hashing a mutated image finds a mismatch in exactly the bulks whose bytes changed, and no other.
//  C2 a truncated or extended image is found by its size before any hash is compared.
import { Session } from 'node:inspector/promises';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 60);
let seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const firstSeed = seed;

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

const sumsMod = await import(join(root, 'dist/native/lib/archive/base-sums.js'));
const checkMod = await import(join(root, 'dist/native/lib/archive/base-check.js'));
const { hashImage } = await import(join(root, 'dist/native/lib/archive/addon.js'));
const { decodeSums, encodeSums, SUMS_HEADER } = sumsMod;
const { badBulkLines, differingBulks } = checkMod;

function rand() {
  // xorshift32: reproducible from the printed seed
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 2 ** 32;
}
const ri = (n) => Math.floor(rand() * n);

const work = mkdtempSync(join(tmpdir(), 'walbctl-fuzz-sums-'));
const artifacts = join(root, 'fuzz/artifacts/base_sums');
const counts = { executions: 0, readerMutations: 0, readerRejected: 0, imageMutations: 0, imageFound: 0, failures: 0 };
const rules = new Map();

function fail(kind, input, detail) {
  counts.failures++;
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `${kind}-${firstSeed}-${counts.executions}.bin`);
  writeFileSync(file, input);
  console.error(`FAILED ${kind} at execution ${counts.executions}: ${detail} (input kept as ${file})`);
}

const interesting = [0, 1, 4095, 4096, 0xffffffff, 0x7fffffff, 2 ** 53, 2 ** 64 - 1];
function mutate(buf) {
  const b = Buffer.from(buf);
  switch (ri(7)) {
    case 0: { const at = ri(b.length); b[at] ^= 1 << ri(8); return b; }
    case 1: return b.subarray(0, ri(b.length));
    case 2: return Buffer.concat([b, Buffer.alloc(1 + ri(64), ri(256))]);
    case 3: { const at = ri(b.length); b[at] = ri(256); return b; }
    case 4: { // a header field set to an interesting value, CRC fixed up so later rules are reached
      const at = [12, 16, 24, 32, 40][ri(5)];
      const v = BigInt(interesting[ri(interesting.length)]) & ((1n << 64n) - 1n);
      if (at === 12) b.writeUInt32LE(Number(v & 0xffffffffn), at); else b.writeBigUInt64LE(v, at);
      return fixCrc(b);
    }
    case 5: { const at = ri(b.length); return fixCrc(Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + ri(16))])); }
    default: { const at = 8 + ri(4); b[at] ^= 1 << ri(8); return fixCrc(b); }
  }
}
function fixCrc(b) {
  if (b.length >= 4) { const { crc32 } = ZLIB; b.writeUInt32LE(crc32(b.subarray(0, b.length - 4)), b.length - 4); }
  return b;
}
const ZLIB = await import('node:zlib');

async function readerRound(valid, decoded) {
  const back = decodeSums(valid, 'base.sums');
  if (!back.hashes.equals(decoded.hashes) || back.sizeBytes !== decoded.sizeBytes) fail('reader-roundtrip', valid, 'R2: a valid file did not decode to what was encoded');
  for (let i = 0; i < 200; i++) {
    const m = mutate(valid);
    counts.executions++;
    if (m.equals(valid)) continue;
    counts.readerMutations++;
    try {
      decodeSums(m, 'base.sums');
      // A mutation that fixed its CRC may still be a valid file of other numbers; re-encoding it must
      // then give the same bytes (so nothing was read past what the frame says).
      const again = encodeSums(decodeSums(m, 'base.sums'));
      if (!again.equals(m)) fail('reader-accepts', m, 'R1: accepted a file that does not re-encode to itself');
    } catch (error) {
      const msg = String(error?.message ?? error);
      const at = /base\.sums: byte (\d+): (\w[\w ]*?)(?: \d|$| is| does| magic| ")/.exec(msg);
      if (error?.name !== 'InputError' || !at) { fail('reader-throws', m, `R1: ${error?.name}: ${msg}`); continue; }
      if (Number(at[1]) > m.length) fail('reader-offset', m, `R1: offset ${at[1]} past the end (${m.length})`);
      counts.readerRejected++;
      const rule = msg.replace(/"(?:[^"\\]|\\.)*"/g, 'S').replace(/\d+/g, 'N').slice(0, 70);
      rules.set(rule, (rules.get(rule) ?? 0) + 1);
    }
  }
}

async function imageRound() {
  const bulkSize = 4096 * (1 + ri(4));
  const size = 1 + ri(8 * bulkSize);
  const img = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1 + ri(512)) img[i] = ri(256);
  const path = join(work, 'base.img');
  writeFileSync(path, img);
  const hashes = await hashImage({ path, bulkSize, sizeBytes: size });
  const sums = { bulkSize, sizeBytes: size, snap: { b: 0, e: 0 }, hashes };
  const enc = encodeSums(sums);
  await readerRound(enc, sums);
  // C1/C2: mutate the image
  counts.executions++;
  counts.imageMutations++;
  const kind = ri(3);
  if (kind === 0) {
    const at = ri(size);
    const flipped = Buffer.from(img);
    flipped[at] ^= 1 << ri(8);
    writeFileSync(path, flipped);
    const actual = await hashImage({ path, bulkSize, sizeBytes: size });
    const found = badBulkLines(path, sums, differingBulks(sums, actual));
    const bulk = Math.floor(at / bulkSize);
    if (found.length !== 1 || !found[0].includes(`(bulk ${bulk})`)) fail('image-flip', flipped, `C1: flip at ${at} (bulk ${bulk}) gave ${JSON.stringify(found)}`);
    else counts.imageFound++;
  } else {
    if (kind === 1) truncateSync(path, ri(size)); else writeFileSync(path, Buffer.concat([img, Buffer.alloc(1 + ri(bulkSize))]));
    const now = statSync(path).size;
    if (now === sums.sizeBytes) fail('image-size', img, 'C2: size unchanged after a size mutation');
    else counts.imageFound++;
  }
}

const deadline = Date.now() + seconds * 1000;
let lastReport = Date.now();
console.log(`fuzz_base_sums: ${seconds}s, seed ${firstSeed}, work ${work}`);
while (Date.now() < deadline) {
  await imageRound();
  if (Date.now() - lastReport > 60_000) {
    lastReport = Date.now();
    console.log(`#${counts.executions} reader ${counts.readerRejected}/${counts.readerMutations} rejected, image ${counts.imageFound}/${counts.imageMutations} found, rules ${rules.size}, failures ${counts.failures}`);
  }
}

const { result } = await session.post('Profiler.takePreciseCoverage');
const cover = {};
for (const script of result) {
  const name = ['base-sums.js', 'base-check.js'].find((n) => script.url.endsWith(`/archive/${n}`));
  if (!name) continue;
  let blocks = 0, hit = 0;
  for (const fn of script.functions) for (const r of fn.ranges) { blocks++; if (r.count > 0) hit++; }
  cover[name] = `${hit}/${blocks} blocks`;
}
rmSync(work, { recursive: true, force: true });
console.log(`rules reached: ${rules.size}`);
for (const [r, n] of [...rules].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(9)}  ${r}`);
console.log(`fuzz_base_sums: ${counts.failures === 0 ? 'OK' : 'FAILED'}, ${counts.executions} executions in ${seconds}s, ` +
  `reader ${counts.readerRejected}/${counts.readerMutations} mutations rejected, image ${counts.imageFound}/${counts.imageMutations} mutations found, ` +
  `coverage base-sums.js ${cover['base-sums.js'] ?? '?'}, base-check.js ${cover['base-check.js'] ?? '?'}, ${counts.failures} failures`);
process.exit(counts.failures === 0 ? 0 : 1);
