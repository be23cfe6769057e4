// A writer for the wdev crash test: writes 4 KiB blocks (each block at most once per run) to the
// wdev file and prints "ack SEQ" after every fsync that returned, meaning writes 0..SEQ are durable.
// COUNT (default: every block of this writer's share) caps the writes, so a run's log is bounded.
// Usage: node crash-writer.mjs FILE WRITER WRITERS TRIAL SEED BLOCKS SYNC_EVERY [COUNT]
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

export function blockOf(w, writers, seed, seq, blocks) {
  const per = Math.floor(blocks / writers);
  return w + writers * ((seed + seq * 7919) % per);
}

export function contentOf(trial, w, seq) {
  const tag = Buffer.from(`trial ${trial} writer ${w} seq ${seq};`.padEnd(64, '.'));
  const b = Buffer.alloc(4096);
  for (let i = 0; i < 4096; i += 64) tag.copy(b, i);
  return b;
}

if (process.argv[1] && process.argv[1].endsWith('crash-writer.mjs')) {
  const [file, w, writers, trial, seed, blocks, every, count] = process.argv.slice(2).map((x, i) => (i === 0 ? x : Number(x)));
  const fd = openSync(file, 'r+');
  process.stdout.write('start\n');
  const per = Math.min(Math.floor(blocks / writers), count ?? Infinity);
  try {
    for (let seq = 0; seq < per; seq++) {
      writeSync(fd, contentOf(trial, w, seq), 0, 4096, blockOf(w, writers, seed, seq, blocks) * 4096);
      if ((seq + 1) % every === 0) {
        fsyncSync(fd);
        process.stdout.write(`ack ${seq}\n`);
      }
    }
    fsyncSync(fd);
    process.stdout.write(`ack ${per - 1}\n`);
    closeSync(fd);
  } catch {
    process.exit(0); // the wdev went away (killed): what was acked is all that counts
  }
}
