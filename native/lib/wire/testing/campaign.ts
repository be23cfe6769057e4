/**
 * The wire's fault campaign (scripts/wire-faults.mjs runs ≥ 200 trials; the suite a few): each
 * trial sends a volume's base and three diffs to a fresh archive volume on a receiver process,
 * through the fault relay, over TLS or plain TCP, while one fault strikes — a cut, a stall or a
 * flipped byte at a random offset, or kill -9 of the sender or of the receiver at a random moment.
 * Then it checks: the base and every restorable gid restore to the source's sha1, the diff list is
 * exactly the source's (nothing acknowledged lost or duplicated), the archive verifies and holds no
 * temp or partial file, a flipped byte was detected (the transfer retried), and counts whether each
 * interrupted full backup resumed or restarted.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { archivePaths } from '../../archive/layout.js';
import { initArchiveVolume } from '../../archive/lifecycle.js';
import { archiveMeta, listDiffs } from '../../archive/query.js';
import { deleteRestored, restore } from '../../archive/restore.js';
import { verifyArchive } from '../../archive/verify.js';
import { fullBackup } from '../../storage/backup.js';
import { initVolume } from '../../storage/lifecycle.js';
import { snapshot } from '../../storage/snapshot.js';
import { storageMeta } from '../../storage/query.js';
import { WireClient, type WirePeer } from '../client.js';
import { initCa, issueHost } from '../pki/openssl.js';
import { TokenBucket } from '../stream/token-bucket.js';
import { partialRoot } from '../stream/partial.js';
import { sendDiff } from '../transfers/diff.js';
import { sendFullBackup, type SendFullBackupOptions } from '../transfers/full-backup.js';
import { withRetries } from '../transfers/retry.js';
import type { SendResult } from '../transfers/send-file.js';
import { startRelay, type Relay, type RelayFault } from './relay.js';
import { spawnPeer, type PeerProcess } from './spawn-peer.js';
import { seededRandom } from './rng.js';

export type FaultKind = 'cut' | 'stall' | 'flip' | 'kill-sender' | 'kill-receiver';
export const FAULT_KINDS: readonly FaultKind[] = ['cut', 'stall', 'flip', 'kill-sender', 'kill-receiver'];

export interface CampaignCounts {
  trials: number;
  injected: number;
  byFault: Record<FaultKind, number>;
  checked: number;
  failed: number;
  /** Full backups interrupted mid-stream, and how each went on. */
  interrupted: number;
  resumed: number;
  restarted: number;
  flipsDetected: number;
  retries: number;
  failures: string[];
}

export interface CampaignOptions {
  trials: number;
  seed: number;
  dir: string;
  /** Which faults to draw from (all by default); trial i takes kinds[i % n] so every kind is tried. */
  kinds?: readonly FaultKind[];
  log?: (line: string) => void;
}

const SIZE = 4 << 20;
const CHECKPOINT = 1 << 20;
const RATE = 6 << 20;
const CHANNEL = { heartbeatMs: 200, deadAfterMs: 1500 };

const rng = seededRandom;

const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The source: a scan volume with a local archive holding a base and three diffs, and each gid's sha1. */
async function makeSource(dir: string, next: () => number) {
  const dataDir = join(dir, 'source');
  const device = join(dir, 'source.img');
  await initVolume(dataDir, 'v', { devicePath: device, sizeBytes: SIZE, bulkSize: 65536 });
  await initArchiveVolume(dataDir, 'v');
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const scribble = (n: number): void => {
    const fd = openSync(device, 'r+');
    for (let i = 0; i < n; i++) {
      const len = 4096 * (1 + Math.floor(next() * 64));
      const buf = next() < 0.5 ? Buffer.alloc(len, Math.floor(next() * 256)) : Buffer.from(Array.from({ length: len }, () => Math.floor(next() * 256)));
      writeSync(fd, buf, 0, len, Math.floor(next() * (SIZE - len)));
    }
    closeSync(fd);
  };
  scribble(40);
  await fullBackup(dataDir, 'v');
  const sums = new Map<number, string>();
  for (let k = 0; k < 3; k++) {
    scribble(6);
    const s = await snapshot(dataDir, 'v');
    sums.set(s.gid, sha1(device));
  }
  const meta = (await archiveMeta(dataDir, 'v'))!;
  return { dataDir, uuid: (await storageMeta(dataDir, 'v'))!.uuid, base: archivePaths(dataDir, 'v').base, meta, diffs: await listDiffs(dataDir, 'v'), sums };
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignCounts> {
  const next = rng(o.seed);
  const log = o.log ?? (() => {});
  const kinds = o.kinds ?? FAULT_KINDS;
  const counts: CampaignCounts = { trials: 0, injected: 0, byFault: { cut: 0, stall: 0, flip: 0, 'kill-sender': 0, 'kill-receiver': 0 }, checked: 0, failed: 0, interrupted: 0, resumed: 0, restarted: 0, flipsDetected: 0, retries: 0, failures: [] };
  const pkiDir = join(o.dir, 'pki');
  await initCa(pkiDir);
  for (const h of ['db-1', 'ar-1']) await issueHost(pkiDir, h);
  const tls = (h: string) => ({ ca: join(pkiDir, 'ca.crt'), cert: join(pkiDir, `${h}.crt`), key: join(pkiDir, `${h}.key`) });
  const src = await makeSource(o.dir, next);

  // Two receivers (TLS on .12, plain TCP on .13), each behind its own relay.
  const modes = ['tls', 'insecure'] as const;
  const recv: Record<(typeof modes)[number], { dataDir: string; proc: PeerProcess; relay: Relay; address: string; fault: RelayFault | null; faultConn: number; conn: number }> = {} as never;
  const startReceiver = async (mode: (typeof modes)[number], address: string, dataDir: string): Promise<{ proc: PeerProcess; port: number }> => {
    const proc = spawnPeer({ role: 'serve', host: 'ar-1', address, dataDir, ...(mode === 'tls' ? { tls: tls('ar-1') } : { insecure: true }), channel: CHANNEL });
    return { proc, port: Number((await proc.first).port) };
  };
  for (const [i, mode] of modes.entries()) {
    const address = `127.0.0.${12 + i}`;
    const dataDir = join(o.dir, `ar-1-${mode}`);
    await mkdir(dataDir, { recursive: true });
    const { proc, port } = await startReceiver(mode, address, dataDir);
    const r = { dataDir, proc, address, fault: null as RelayFault | null, faultConn: -1, conn: 0, relay: null as unknown as Relay };
    r.relay = await startRelay({ listen: { address }, target: { address, port }, plan: () => (r.conn++ === r.faultConn ? r.fault : null) });
    recv[mode] = r;
  }
  const clients = { tls: new WireClient({ host: 'db-1', tls: tls('db-1'), channel: CHANNEL, connectTimeoutMs: 3000 }), insecure: new WireClient({ host: 'db-1', insecure: true, channel: CHANNEL, connectTimeoutMs: 3000 }) };

  try {
    for (let t = 0; t < o.trials; t++) {
      counts.trials++;
      const mode = modes[t % 2]!;
      const r = recv[mode];
      const kind = kinds[Math.floor(t / 2) % kinds.length]!;
      const vol = `t${t}`;
      await initArchiveVolume(r.dataDir, vol);
      const peer: WirePeer = { host: 'ar-1', ...r.relay.address };
      const before = { ...r.relay.counts };
      r.conn = 0;
      r.fault = null;
      r.faultConn = -1;
      // A receiver restarted under load may take seconds to listen again: about 20 s of retries.
      const retry = { attempts: 25, firstDelayMs: 50, maxDelayMs: 1000, onRetry: () => void counts.retries++ };
      const fullOpts: SendFullBackupOptions = { volume: vol, source: src.base, sizeBytes: SIZE, uuid: src.uuid, snap: src.meta.base.b, id: src.meta.fullBackupId!, timestamp: src.meta.baseTimestamp!, checkpointBytes: CHECKPOINT };
      const limits = [new TokenBucket(RATE, 256 << 10)];
      let baseAttempts = 0;
      let diffAttempts = 0;
      let baseResult: SendResult | null = null;
      let interrupted = false;
      const sendBase = () =>
        withRetries(async () => {
          baseAttempts++;
          return sendFullBackup(clients[mode], peer, { ...fullOpts, limits });
        }, retry);
      const problems: string[] = [];
      try {
        if (kind === 'cut' || kind === 'stall' || kind === 'flip') {
          // Strike the base (connection 0) most often, else one of the diffs.
          r.faultConn = next() < 0.6 ? 0 : 1 + Math.floor(next() * 3);
          const span = r.faultConn === 0 ? SIZE * 0.3 : Math.max(1024, src.diffs[r.faultConn - 1]!.dataSize * 0.5);
          r.fault = { kind, direction: kind === 'flip' || next() < 0.7 ? 'up' : 'down', atByte: Math.floor(300 + next() * span) };
          if (r.fault.direction === 'down') r.fault.atByte = Math.floor(next() * 600);
          baseResult = await sendBase();
          interrupted = r.faultConn === 0 && baseAttempts > 1;
        } else if (kind === 'kill-receiver') {
          const run = sendBase();
          run.catch(() => {}); // awaited below; a rejection meanwhile is the trial's failure, not the process's
          await sleep(100 + next() * 500);
          r.proc.child.kill('SIGKILL');
          await r.proc.exited;
          counts.injected++;
          counts.byFault['kill-receiver']++;
          const { proc, port } = await startReceiver(mode, r.address, r.dataDir);
          r.proc = proc;
          r.relay.retarget({ address: r.address, port });
          baseResult = await run;
          interrupted = baseAttempts > 1;
        } else {
          const child = spawnPeer({ role: 'send-full', host: 'db-1', peer, ...(mode === 'tls' ? { tls: tls('db-1') } : { insecure: true }), channel: CHANNEL, send: fullOpts, rate: RATE });
          await child.first.catch(() => null);
          await sleep(next() * 500);
          child.child.kill('SIGKILL');
          const code = await child.exited;
          if (code === null) {
            counts.injected++;
            counts.byFault['kill-sender']++;
            interrupted = true;
          }
          baseResult = await sendBase();
        }
        for (const d of src.diffs) {
          await withRetries(() => (diffAttempts++, sendDiff(clients[mode], peer, { volume: vol, uuid: src.uuid, file: join(archivePaths(src.dataDir, 'v').dir, d.file), diff: d, explicitEnd: true })), retry);
        }
      } catch (e) {
        problems.push(`transfer failed: ${(e as Error).message}`);
      }
      for (const k of ['cut', 'stall', 'flip'] as const) {
        const n = r.relay.counts[k] - before[k];
        counts.injected += n;
        counts.byFault[k] += n;
        if (k === 'flip' && n > 0) {
          // A flipped byte must have failed an attempt (crc32 or TLS), never passed through.
          if (baseAttempts + diffAttempts > 1 + src.diffs.length) counts.flipsDetected++;
          else problems.push('a flipped byte went through undetected (no attempt failed)');
        }
      }
      if (interrupted && baseResult) {
        counts.interrupted++;
        if (baseResult.resumedFrom > 0 || baseResult.outcome === 'already') counts.resumed++;
        else counts.restarted++;
      }
      if (baseResult?.claimRefused) problems.push(`the receiver's resume claim was refused: ${baseResult.claimRefused}`);
      if (problems.length === 0) problems.push(...(await checkTrial(o.dir, r.dataDir, vol, src)));
      counts.checked++;
      if (problems.length > 0) {
        counts.failed++;
        counts.failures.push(`trial ${t} (${mode}, ${kind}): ${problems.join('; ')}`);
      }
      log(`trial ${t} ${mode} ${kind}: attempts ${baseAttempts}, resumedFrom ${baseResult?.resumedFrom ?? '-'}${problems.length ? ` FAILED: ${problems.join('; ')}` : ' ok'}`);
    }
  } finally {
    for (const m of modes) {
      recv[m]?.proc.child.kill('SIGKILL');
      await recv[m]?.relay.close();
    }
  }
  return counts;
}

async function checkTrial(dir: string, dataDir: string, vol: string, src: Awaited<ReturnType<typeof makeSource>>): Promise<string[]> {
  const problems: string[] = [];
  const paths = archivePaths(dataDir, vol);
  if (sha1(paths.base) !== sha1(src.base)) problems.push('the base differs from the source');
  const got = (await listDiffs(dataDir, vol)).map((d) => `${d.b.b}-${d.e.b}`);
  const want = src.diffs.map((d) => `${d.b.b}-${d.e.b}`);
  if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`diffs ${got.join(',')} are not ${want.join(',')}`);
  const v = await verifyArchive(dataDir, vol);
  if (!v.ok) problems.push(`verify: ${v.problems.join('; ')}`);
  const temps = readdirSync(paths.dir).filter((n) => n.startsWith('.tmp-'));
  if (temps.length) problems.push(`temp files left: ${temps.join(', ')}`);
  // A diff's partial is diff-<vol>.<its span> (transfers/diff.ts); the full backup's full-backup-<vol>.
  let partials: string[] = [];
  try {
    partials = readdirSync(partialRoot(dataDir));
  } catch {
    // no partial at all
  }
  for (const n of partials) if (n === `full-backup-${vol}` || n === `diff-${vol}` || n.startsWith(`diff-${vol}.`)) problems.push(`a partial is left: ${n}`);
  for (const [gid, sum] of src.sums) {
    const out = await restore(dataDir, vol, gid, { path: join(dir, `restore-${vol}-${gid}.img`) });
    if (sha1(out.path) !== sum) problems.push(`gid ${gid} restores to other bytes`);
    await deleteRestored(dataDir, vol, gid);
  }
  return problems;
}
