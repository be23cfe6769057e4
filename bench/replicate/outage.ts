/**
 * bench:replicate's outage phase (issue 13: "report lag recovery after a 10-minute outage of the
 * target"). A target caught up with the source is replicated to after every snapshot while the
 * source's volume takes writes and a snapshot every `every` seconds at a steady rate; then the
 * target's process is stopped for `seconds` while writes, snapshots and (failing) replication
 * attempts go on as a daemon's schedule would; then it is started again. Printed: the lag at the
 * restart (gids, diff bytes, seconds between the target's snapshot and the newest, as the daemon's
 * status counts them) and the time from the restart until a replication leaves the target at the
 * source's newest clean gid, with the replications that took it there — writes go on meanwhile.
 */
import { loadavg } from 'node:os';

import { newestClean } from '../../common/replication-choice.js';
import { observeArchive } from '../../native/lib/archive/query.js';
import { lagOf } from '../../reconciler/policy/replica-hold.js';
import { toMs } from '../../reconciler/policy/time.js';
import { runSender, serveTarget, type Target, type Tls } from './peers.js';

export interface OutageOptions {
  /** The source archive and the target archive's data directory (caught up or at an older gid). */
  source: string;
  target: string;
  tls: Tls;
  /** Outage length and snapshot period, seconds; bytes written per second. */
  seconds: number;
  every: number;
  rate: number;
  /** Writes `bytes` of new data into the source's volume and takes a snapshot into the source archive. */
  writeAndSnapshot: (bytes: number) => Promise<void>;
  log: (line: string) => void;
}

const MB = 1e6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string => loadavg()[0]!.toFixed(1);

async function standing(source: string): Promise<{ newest: number | null; lag: ReturnType<typeof lagOf> | null; snapshots: number }> {
  const a = (await observeArchive(source, 'v'))!;
  const newest = newestClean(a);
  const cursor = a.replicas['ar-2'] ?? null;
  const newestTime = a.restorable.find((r) => r.gid === newest)?.timestamp ?? null;
  if (!cursor) return { newest, lag: null, snapshots: 0 };
  const lag = lagOf(cursor, newest, { diffs: a.diffs, newestTime: newestTime === null ? null : toMs(newestTime) });
  return { newest, lag, snapshots: a.restorable.filter((r) => r.gid > cursor.gid).length };
}

export async function outagePhase(o: OutageOptions): Promise<void> {
  const per = Math.round(o.rate * o.every);
  o.log(`outage: ${o.seconds} s with a snapshot every ${o.every} s of ${(per / MB).toFixed(0)} MB written (${(o.rate / MB).toFixed(1)} MB/s), load ${load()}`);
  let target: Target = await serveTarget(o.target, o.tls);
  const first = await runSender(o.source, target.port, o.tls);
  if (first.code !== 0) throw new Error(`outage: the first replication failed: ${JSON.stringify(first.result)}`);
  o.log(`outage: target caught up (${String(first.result.kind)}, ${first.seconds.toFixed(1)} s), two periods with it up`);

  // The writer: a snapshot every `every` s, from now to the end of the phase.
  let writing = true;
  let snapshots = 0;
  const writer = (async () => {
    for (let next = Date.now(); writing; ) {
      await o.writeAndSnapshot(per);
      snapshots++;
      next += o.every * 1000;
      while (writing && Date.now() < next) await sleep(Math.min(500, next - Date.now()));
    }
  })();
  // Replication on its schedule (once per snapshot period); while the target is stopped its port refuses.
  const tick = async (untilMs: number): Promise<number> => {
    let failed = 0;
    while (Date.now() < untilMs) {
      const r = await runSender(o.source, target.port, o.tls);
      if (r.code !== 0) failed++;
      await sleep(Math.min(o.every * 1000, Math.max(0, untilMs - Date.now())));
    }
    return failed;
  };
  try {
    await tick(Date.now() + 2 * o.every * 1000);
    await target.stop();
    const stoppedAt = Date.now();
    o.log(`outage: target stopped at ${new Date(stoppedAt).toISOString()}, load ${load()}`);
    const failed = await tick(stoppedAt + o.seconds * 1000);
    const before = snapshots;
    target = await serveTarget(o.target, o.tls);
    const restartedAt = Date.now();
    const at = await standing(o.source);
    o.log(`outage: target started after ${((restartedAt - stoppedAt) / 1000).toFixed(0)} s (${failed} replication attempts failed meanwhile, ${before} snapshots so far), load ${load()}`);
    o.log(`outage: lag at restart: ${at.lag?.gids ?? '?'} gids (${at.snapshots} snapshots), ${((at.lag?.bytes ?? 0) / MB).toFixed(0)} MB of diffs, ${at.lag?.seconds ?? '?'} s`);
    // Catching up: replication runs at once and again while snapshots keep landing, at most 10 times.
    for (let i = 1; i <= 10; i++) {
      const r = await runSender(o.source, target.port, o.tls);
      const now = await standing(o.source);
      const wire = Number(r.result.wireBytes ?? 0);
      o.log(`outage: replication ${i}: ${r.code === 0 ? `${String(r.result.kind)} to gid ${String(r.result.toGid)}, ${String(r.result.sent)} transfers, ${(wire / MB).toFixed(0)} MB on the wire` : `failed: ${String(r.result.error)}`} in ${r.seconds.toFixed(1)} s (${(wire / MB / r.seconds).toFixed(0)} MB/s), load ${load()}`);
      if (r.code === 0 && now.lag?.gids === 0) {
        const s = (Date.now() - restartedAt) / 1000;
        o.log(`outage: caught up ${s.toFixed(1)} s after the restart (${i} replication(s)), lag now 0 gids; the backlog of ${((at.lag?.bytes ?? 0) / MB).toFixed(0)} MB at ${((at.lag?.bytes ?? 0) / MB / s).toFixed(0)} MB/s, load ${load()}`);
        return;
      }
    }
    o.log('outage: NOT caught up after 10 replications');
  } finally {
    writing = false;
    await writer;
    await target.stop();
  }
}
