/**
 * The replication fault campaign (scripts/replicate-faults.mjs runs ≥ 200 trials; the suite a few).
 * Each trial replicates a source archive to a target archive served by its own process ("ar-2", TLS,
 * behind the wire's fault relay) in one of the three kinds — full (the target holds nothing), diff
 * (it holds an older gid), hash (the source applied past it) or merged (the source merged across
 * the target's gid: the diff replication starts from that merged diff) — while one fault strikes: the relay
 * cuts, stalls or flips a byte at a random offset, or the sender or the receiver is killed with -9 at
 * a random moment. Then replication runs again until it succeeds, and the trial checks: the target's
 * newest gid is the source's, its diffs form one chain with no diff twice, the newest and one older
 * restorable gid restore to the source's sha1, the archive verifies with no temp file left, and the
 * source's cursor says where the target is. Interrupted replications count as resumed (the retry
 * found acknowledged bytes or diffs on the target) or restarted.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { applyUpTo } from '../../archive/apply.js';
import { applySnap, canApply, type GidSnap } from '../../archive/gid.js';
import { archivePaths } from '../../archive/layout.js';
import { initArchiveVolume } from '../../archive/lifecycle.js';
import { merge } from '../../archive/merge.js';
import { listDiffs, observeArchive, restorable } from '../../archive/query.js';
import { readReplicaCursors } from '../../archive/replicas.js';
import { deleteRestored, restore } from '../../archive/restore.js';
import { setSnapshotExplicit } from '../../archive/set-snapshot.js';
import { verifyArchive } from '../../archive/verify.js';
import { fullBackup } from '../../storage/backup.js';
import { initVolume } from '../../storage/lifecycle.js';
import { snapshot } from '../../storage/snapshot.js';
import { WireClient, type WirePeer } from '../../wire/client.js';
import { initCa, issueHost } from '../../wire/pki/openssl.js';
import { listPartials } from '../../wire/stream/partial.js';
import { TokenBucket } from '../../wire/stream/token-bucket.js';
import { startRelay, type Relay, type RelayFault } from '../../wire/testing/relay.js';
import { spawnPeer, type PeerProcess } from '../../wire/testing/spawn-peer.js';
import { withRetries } from '../../wire/transfers/retry.js';
import { replicateArchive, type ReplicateResult } from '../replicate.js';
import { seededRandom } from '../../wire/testing/rng.js';

export type FaultKind = 'cut' | 'stall' | 'flip' | 'kill-sender' | 'kill-receiver';
export const FAULT_KINDS: readonly FaultKind[] = ['cut', 'flip', 'kill-sender', 'kill-receiver', 'stall'];
export type ReplicaKind = 'full' | 'diff' | 'hash' | 'merged';
const REPLICA_KINDS: readonly ReplicaKind[] = ['full', 'diff', 'hash', 'merged'];

export interface ReplicaCampaignCounts {
  trials: number;
  injected: number;
  byFault: Record<FaultKind, number>;
  byKind: Record<ReplicaKind, number>;
  checked: number;
  failed: number;
  interrupted: number;
  resumed: number;
  restarted: number;
  flipsDetected: number;
  retries: number;
  failures: string[];
}

export interface ReplicaCampaignOptions {
  trials: number;
  seed: number;
  dir: string;
  log?: (line: string) => void;
}

const SIZE = 4 << 20;
const CHECKPOINT = 1 << 20;
const RATE = 4 << 20;
const CHANNEL = { heartbeatMs: 200, deadAfterMs: 1500 };

const rng = seededRandom;

const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The compiled sender script, whichever of source or dist this module runs from. */
const senderScript = fileURLToPath(new URL('./repl-peer.js', import.meta.url)).replace(/\/native\/lib\/replicate\/testing\/repl-peer\.js$/, (m) => (import.meta.url.includes('/dist/') ? m : `/dist${m}`));

/**
 * Sources and targets made once: source `a` (base + 5 snapshots), source `h` (a copy of `a` applied to
 * its newest gid), source `m` (a copy of `a` whose diffs are merged across the 2nd gid, made implicit
 * first: a target there continues from a diff that starts before its gid, as in WalB), target
 * templates `empty` (initialised) and `mid` (a replica of `a` at its 2nd gid).
 */
async function prepare(dir: string, next: () => number, tls: (h: string) => object, serveTemplate: (dataDir: string) => Promise<{ peer: WirePeer; stop: () => Promise<void> }>) {
  const db = join(dir, 'db-1');
  const a = join(dir, 'src-a');
  const device = join(dir, 'v.img');
  await initVolume(db, 'v', { devicePath: device, sizeBytes: SIZE, bulkSize: 65536 });
  await initArchiveVolume(a, 'v');
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const scribble = (n: number): void => {
    const fd = openSync(device, 'r+');
    for (let i = 0; i < n; i++) {
      const len = 4096 * (1 + Math.floor(next() * 48));
      const buf = next() < 0.5 ? Buffer.alloc(len, Math.floor(next() * 256)) : Buffer.from(Array.from({ length: len }, () => Math.floor(next() * 256)));
      writeSync(fd, buf, 0, len, Math.floor(next() * (SIZE - len)));
    }
    closeSync(fd);
  };
  scribble(60);
  await fullBackup(db, 'v', { archiveDataDir: a });
  const sums = new Map<number, string>();
  // The last snapshot of each round is explicit, the others implicit: their diffs are merged in transfer.
  const snaps = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++) {
      scribble(8);
      sums.set((await snapshot(db, 'v', { archiveDataDir: a, explicit: k === n - 1 })).gid, sha1(device));
    }
  };
  await snaps(2);
  const midGid = Math.max(...sums.keys());
  const empty = join(dir, 'tpl-empty');
  const mid = join(dir, 'tpl-mid');
  await initArchiveVolume(empty, 'v');
  await initArchiveVolume(mid, 'v');
  const s = await serveTemplate(mid);
  try {
    await replicateArchive({ client: new WireClient({ host: 'ar-1', ...tls('ar-1'), channel: CHANNEL }), peer: s.peer, dataDir: a, volume: 'v' });
  } finally {
    await s.stop();
  }
  await snaps(3);
  const h = join(dir, 'src-h');
  await cp(a, h, { recursive: true });
  const newest = Math.max(...sums.keys());
  await applyUpTo(h, 'v', newest);
  const m = join(dir, 'src-m');
  await cp(a, m, { recursive: true });
  await setSnapshotExplicit(m, 'v', { gid: midGid, explicit: false });
  const chain = await listDiffs(m, 'v');
  await merge(m, 'v', { gidB: chain.find((d) => d.e.b === midGid)!.b.b, gidE: chain.find((d) => d.b.b === midGid)!.e.b });
  return { sources: { a, h, m }, templates: { empty, mid }, sums, newest, midGid };
}

export async function runReplicaCampaign(o: ReplicaCampaignOptions): Promise<ReplicaCampaignCounts> {
  const next = rng(o.seed);
  const log = o.log ?? (() => {});
  const counts: ReplicaCampaignCounts = {
    trials: 0, injected: 0, byFault: { cut: 0, stall: 0, flip: 0, 'kill-sender': 0, 'kill-receiver': 0 }, byKind: { full: 0, diff: 0, hash: 0, merged: 0 },
    checked: 0, failed: 0, interrupted: 0, resumed: 0, restarted: 0, flipsDetected: 0, retries: 0, failures: [],
  };
  const pkiDir = join(o.dir, 'pki');
  await initCa(pkiDir);
  for (const h of ['ar-1', 'ar-2']) await issueHost(pkiDir, h);
  const tlsPaths = (h: string) => ({ ca: join(pkiDir, 'ca.crt'), cert: join(pkiDir, `${h}.crt`), key: join(pkiDir, `${h}.key`) });
  const tls = (h: string) => ({ tls: tlsPaths(h) });
  const address = '127.0.0.14';
  const startReceiver = async (dataDir: string): Promise<{ proc: PeerProcess; port: number }> => {
    const proc = spawnPeer({ role: 'serve', host: 'ar-2', address, dataDir, tls: tlsPaths('ar-2'), channel: CHANNEL });
    return { proc, port: Number((await proc.first).port) };
  };
  const serveTemplate = async (dataDir: string) => {
    const { proc, port } = await startReceiver(dataDir);
    return { peer: { host: 'ar-2', address, port }, stop: async () => void (proc.child.kill('SIGKILL'), await proc.exited) };
  };
  const world = await prepare(o.dir, next, tls, serveTemplate);
  const client = new WireClient({ host: 'ar-1', ...tls('ar-1'), channel: CHANNEL, connectTimeoutMs: 3000 });

  for (let t = 0; t < o.trials; t++) {
    counts.trials++;
    const kind = REPLICA_KINDS[t % REPLICA_KINDS.length]!;
    const fault = FAULT_KINDS[Math.floor(t / REPLICA_KINDS.length) % FAULT_KINDS.length]!;
    counts.byKind[kind]++;
    const target = join(o.dir, `t${t}`);
    await cp(kind === 'full' ? world.templates.empty : world.templates.mid, target, { recursive: true });
    const source = kind === 'hash' ? world.sources.h : kind === 'merged' ? world.sources.m : world.sources.a;
    let recv = await startReceiver(target);
    let conn = 0;
    let faultConn = -1;
    let relayFault: RelayFault | null = null;
    const relay: Relay = await startRelay({ listen: { address }, target: { address, port: recv.port }, plan: () => (conn++ === faultConn ? relayFault : null) });
    const peer: WirePeer = { host: 'ar-2', ...relay.address };
    let attempts = 0;
    let interrupted = false;
    const replicate = (rate: boolean) =>
      withRetries(async () => {
        attempts++;
        return replicateArchive({ client, peer, dataDir: source, volume: 'v', checkpointBytes: CHECKPOINT, ...(rate ? { limits: [new TokenBucket(RATE, 128 << 10)] } : {}) });
      }, { attempts: 12, firstDelayMs: 50, maxDelayMs: 400, onRetry: () => void counts.retries++ });
    const problems: string[] = [];
    let result: ReplicateResult | null = null;
    try {
      if (fault === 'cut' || fault === 'stall' || fault === 'flip') {
        // Connection 0 is the status call; the data goes on 1 (full, first diff, hash index, the
        // merged diff with the ones after it, merged in transfer) or later.
        faultConn = 1 + Math.floor(next() * (kind === 'diff' ? 3 : kind === 'merged' ? 1 : 2));
        const span = kind === 'full' ? SIZE * 0.6 : 64 << 10;
        relayFault = { kind: fault, direction: fault === 'flip' || kind !== 'hash' || next() < 0.5 ? 'up' : 'down', atByte: Math.floor(300 + next() * span) };
        result = await replicate(true);
        interrupted = attempts > 1;
        const injected = relay.counts[fault] > 0;
        if (injected) {
          counts.injected++;
          counts.byFault[fault]++;
        }
        if (fault === 'flip' && injected && attempts > 1) counts.flipsDetected++;
      } else if (fault === 'kill-receiver') {
        const run = replicate(true);
        run.catch(() => {});
        await sleep(150 + next() * 600);
        recv.proc.child.kill('SIGKILL');
        await recv.proc.exited;
        counts.injected++;
        counts.byFault['kill-receiver']++;
        recv = await startReceiver(target);
        relay.retarget({ address, port: recv.port });
        result = await run;
        interrupted = attempts > 1;
      } else {
        const child = spawn(process.execPath, [senderScript, JSON.stringify({ host: 'ar-1', peer, ...tls('ar-1'), channel: CHANNEL, dataDir: source, volume: 'v', rate: RATE, checkpointBytes: CHECKPOINT })], { stdio: ['ignore', 'pipe', 'pipe'] });
        const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
        await new Promise<void>((r) => {
          child.stdout!.once('data', () => r());
          void exited.then(() => r());
        });
        await sleep(next() * 400);
        child.kill('SIGKILL');
        if ((await exited) === null) {
          counts.injected++;
          counts.byFault['kill-sender']++;
          interrupted = true;
        }
        result = await replicate(false);
      }
      if (interrupted) {
        counts.interrupted++;
        // Resumed: by offset (acknowledged bytes), by diff (the retry started past the diffs that had
        // landed), or the target held the whole transfer already.
        const byDiff = (kind === 'diff' || kind === 'merged') && result.fromGid !== null && result.fromGid > world.midGid;
        if (result.resumedBytes > 0 || result.already > 0 || byDiff || result.kind === 'none') counts.resumed++;
        else counts.restarted++;
      }
      // Restarted only where there was nothing to resume from: a resume point the target offered
      // and the source refused would be a transfer sent again that should have resumed.
      // The target at the mid gid continues from the source's merged diff: never a hash replication.
      if (kind === 'merged' && result.kind !== 'diff' && result.kind !== 'none') problems.push(`a target inside the source's merged diff was brought up by a ${result.kind} replication, not by that diff`);
      if (result.claimsRefused.length > 0) problems.push(`the target's resume claim was refused: ${result.claimsRefused.join('; ')}`);
      await check(target, source, world, problems, next);
    } catch (e) {
      problems.push(`replication did not recover: ${(e as Error).message}`);
    } finally {
      recv.proc.child.kill('SIGKILL');
      await recv.proc.exited;
      await relay.close();
    }
    counts.checked++;
    if (problems.length) {
      counts.failed++;
      counts.failures.push(`trial ${t} (${kind}, ${fault}): ${problems.join('; ')}`);
    } else await rm(target, { recursive: true, force: true });
    log(`trial ${t} ${kind} ${fault}: attempts ${attempts}, ${result ? `${result.kind} resumed ${result.resumedBytes} B, already ${result.already}` : 'no result'}${problems.length ? ` FAILED ${problems.join('; ')}` : ''}`);
  }
  return counts;
}

/** The checks of one trial, each failure a line in `problems`. */
async function check(target: string, source: string, world: { sums: Map<number, string>; newest: number }, problems: string[], next: () => number): Promise<void> {
  const observed = await observeArchive(target, 'v');
  const newest = observed?.restorable.at(-1)?.gid ?? null;
  if (newest !== world.newest) problems.push(`target newest gid ${newest}, source ${world.newest}`);
  const diffs = await listDiffs(target, 'v');
  const spans = new Set<string>();
  // One chain from the base (a full replication sends the base as it is, possibly dirty, then diffs).
  let at: GidSnap = observed ? (observed.base.e ?? observed.base.b) : { b: -1, e: -1 };
  for (const d of diffs) {
    const key = `${d.b.b}-${d.e.e}`;
    if (spans.has(key)) problems.push(`diff ${key} twice`);
    spans.add(key);
    if (!canApply(at, d)) problems.push(`diff ${key} does not continue the chain at ${at.b},${at.e}`);
    else at = applySnap(at, d);
  }
  const gids = (await restorable(target, 'v')).map((r) => r.gid).filter((g) => world.sums.has(g));
  const pick = [...new Set([newest ?? -1, gids[Math.floor(next() * gids.length)] ?? -1])].filter((g) => world.sums.has(g));
  for (const gid of pick) {
    const path = join(target, `check-${gid}.img`);
    await restore(target, 'v', gid, { path });
    if (sha1(path) !== world.sums.get(gid)) problems.push(`gid ${gid} restores to another sha1`);
    await deleteRestored(target, 'v', gid, { path });
  }
  const report = await verifyArchive(target, 'v');
  if (!report.ok) problems.push(`verify: ${report.problems.join(", ")}`);
  const temps = readdirSync(archivePaths(target, 'v').dir).filter((f) => f.startsWith('.tmp-'));
  if (temps.length) problems.push(`temp files left: ${temps.join(', ')}`);
  // The target's partials (one per diff since the sender pipelines) are gone once it converged.
  const partials = await listPartials(target);
  if (partials.length) problems.push(`partials left on the target: ${partials.map((p) => `${p.kind} ${JSON.stringify(p.identity)}`).join(', ')}`);
  const cursor = (await readReplicaCursors(source, 'v'))['ar-2'];
  if (cursor?.gid !== world.newest) problems.push(`cursor at ${cursor?.gid}, target at ${world.newest}`);
  await mkdir(target, { recursive: true });
}
