/**
 * bench:ship's recovery-point sampler, a process of its own: every INTERVAL ms it asks the wdev
 * server where the log ends (the latest lsid of its control socket's `status`, no flush: every
 * acknowledged write's pack is before it) and the archive which gid it holds, and prints
 * `{"t": epoch ms, "written": lsid, "gid": N}` a line. The bench dates each
 * lsid by these marks, so the recovery point is the age of the newest write the archive holds, as
 * the daemon's status reports it (wdev/shipping-state.ts), not the age of the batch's cut: a batch
 * cut short by its size ends at writes older than its cut. The bench pins it beside the proxy and
 * the archive (BENCH_SHIP_PIN=1): reading the archive's chain costs 2-18 ms of CPU a sample as the
 * diffs pile up, which is the archive host's work, not the writer's.
 *
 * Usage: node sampler.js ARCHIVE-DATA-DIR VOLUME WDEV-CONTROL-SOCKET [INTERVAL-MS] (stops when stdin closes).
 */
import { restorable } from '../../native/lib/archive/query.js';
import { controlRequest } from '../../native/lib/wdev/control.js';

const [dataDir, vol, socket, intervalArg] = process.argv.slice(2);
if (!dataDir || !vol || !socket) {
  process.stderr.write('usage: sampler.js ARCHIVE-DATA-DIR VOLUME WDEV-CONTROL-SOCKET [INTERVAL-MS]\n');
  process.exit(2);
}
const interval = Number(intervalArg ?? 250);
let busy = false;
const timer = setInterval(() => {
  if (busy) return;
  busy = true;
  void (async () => {
    try {
      // The log position first: the gid read after it can only be newer, so a mark never dates
      // a write later than it was made.
      const t = Date.now();
      const st = await controlRequest(socket, 'status');
      const r = await restorable(dataDir, vol);
      process.stdout.write(`${JSON.stringify({ t, written: st?.latestLsid ?? null, gid: r[r.length - 1]?.gid ?? 0 })}\n`);
    } catch (e) {
      process.stderr.write(`sampler: ${(e as Error).message}\n`);
    } finally {
      busy = false;
    }
  })();
}, interval);
process.stdin.resume();
process.stdin.on('end', () => clearInterval(timer));
