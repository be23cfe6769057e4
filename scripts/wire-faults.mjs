#!/usr/bin/env node
// The wire's fault campaign: each trial sends a volume's base and three diffs from "db-1" to a fresh
// archive volume on an "ar-1" receiver process, through a TCP relay of our own, over TLS (127.0.0.12)
// or plain TCP (127.0.0.13), while one fault strikes: the relay cuts the connection or stalls it at a
// random byte offset, or flips one byte; or the sender or the receiver process is killed with -9 at a
// random moment. After recovery every restore must match the source's sha1, the diff list must be the
// source's exactly, the archive must verify with no temp or partial file left, every flipped byte must
// have been detected, and interrupted full backups are counted as resumed or restarted.
//
//   node scripts/wire-faults.mjs [--trials N] [--seed S] [--json] [--keep] [--verbose]
//
// Runs the compiled code in dist/ (npm run build:ts). Exit 0 when every check held.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runCampaign } = await import(join(root, 'dist/native/lib/wire/testing/campaign.js'));

const { values } = parseArgs({
  options: { trials: { type: 'string', default: '200' }, seed: { type: 'string', default: String(Date.now() % 100000) }, json: { type: 'boolean' }, keep: { type: 'boolean' }, verbose: { type: 'boolean' } },
});
const dir = mkdtempSync(join(tmpdir(), 'walbctl-wire-faults-'));
const t0 = Date.now();
const c = await runCampaign({ trials: Number(values.trials), seed: Number(values.seed), dir, log: values.verbose ? (l) => console.error(l) : undefined });
const seconds = (Date.now() - t0) / 1000;
if (!values.keep) rmSync(dir, { recursive: true, force: true });
if (values.json) {
  console.log(JSON.stringify({ seed: Number(values.seed), seconds, ...c }));
} else {
  const f = c.byFault;
  console.log(`wire-faults: seed ${values.seed}, ${seconds.toFixed(0)} s`);
  console.log(`trials ${c.trials}, injected ${c.injected} (cut ${f.cut}, stall ${f.stall}, flip ${f.flip}, kill-sender ${f['kill-sender']}, kill-receiver ${f['kill-receiver']}), checked ${c.checked}, failed ${c.failed}`);
  console.log(`interrupted full backups ${c.interrupted}: resumed ${c.resumed}, restarted ${c.restarted}; flips detected ${c.flipsDetected}/${f.flip}; retries ${c.retries}`);
  for (const l of c.failures) console.log(`FAILED ${l}`);
  if (values.keep) console.log(`kept ${dir}`);
}
process.exit(c.failed === 0 ? 0 : 1);
