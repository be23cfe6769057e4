#!/usr/bin/env node
// The replication fault campaign: each trial replicates an archive to an archive served by its own
// process ("ar-2", TLS on 127.0.0.14, behind the wire's fault relay) in one of four kinds (full,
// diff, hash, and a diff replication from a diff the source merged across the target's gid) while one fault strikes — the relay cuts, stalls or flips a byte at a random offset, or
// the sender or the receiver is killed with -9 — then replicates again until it succeeds and checks
// the target (newest gid, one chain with no diff twice, restores match the source's sha1, verify, no
// temp file, the cursor). Interrupted replications are counted as resumed or restarted.
//
//   node scripts/replicate-faults.mjs [--trials N] [--seed S] [--json] [--keep] [--verbose]
//
// Runs the compiled code in dist/ (npm run build:ts). Exit 0 when every check held.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runReplicaCampaign } = await import(join(root, 'dist/native/lib/replicate/testing/campaign.js'));

const { values } = parseArgs({
  options: { trials: { type: 'string', default: '210' }, seed: { type: 'string', default: String(Date.now() % 100000) }, json: { type: 'boolean' }, keep: { type: 'boolean' }, verbose: { type: 'boolean' } },
});
const dir = mkdtempSync(join(tmpdir(), 'walbctl-repl-faults-'));
const t0 = Date.now();
const c = await runReplicaCampaign({ trials: Number(values.trials), seed: Number(values.seed), dir, log: values.verbose ? (l) => console.error(l) : undefined });
const seconds = (Date.now() - t0) / 1000;
if (!values.keep && c.failed === 0) rmSync(dir, { recursive: true, force: true });
if (values.json) {
  console.log(JSON.stringify({ seed: Number(values.seed), seconds, ...c }));
} else {
  const f = c.byFault;
  const k = c.byKind;
  console.log(`replicate-faults: seed ${values.seed}, ${seconds.toFixed(0)} s`);
  console.log(`trials ${c.trials} (full ${k.full}, diff ${k.diff}, hash ${k.hash}, merged across the target's gid ${k.merged}), injected ${c.injected} (cut ${f.cut}, stall ${f.stall}, flip ${f.flip}, kill-sender ${f['kill-sender']}, kill-receiver ${f['kill-receiver']}), checked ${c.checked}, failed ${c.failed}`);
  console.log(`interrupted replications ${c.interrupted}: resumed ${c.resumed}, restarted ${c.restarted}; flips detected ${c.flipsDetected}/${f.flip}; retries ${c.retries}`);
  for (const l of c.failures) console.log(`FAILED ${l}`);
  if (values.keep || c.failed) console.log(`kept ${dir}`);
}
process.exit(c.failed === 0 ? 0 : 1);
