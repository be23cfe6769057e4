/**
 * Following a long WalB task to its end. walbc's task commands (full-bkp, hash-bkp, replicate,
 * restore, apply, merge) return once the server accepted the task, which then runs in the background;
 * walbc 1.0.19 has no wait command, so the driver polls what WalB's own controller library
 * (walb-tools python/walblib) polls: `get num-action VOL ACTION` until 0 (Merge, Apply, Restore,
 * ReplSyncAsClient on an archive) or `get state VOL` until the volume leaves the task's temporary
 * states (FullSync/HashSync, Stopped, StartTarget on a storage). Every wait has a time limit; past it
 * the error names the server, the command and what was last seen.
 */
import { WalbTaskFailedError, WalbTimeoutError } from './errors.js';
import { walbc, type WalbcOptions, type WalbServer } from './walbc.js';

export interface FollowOptions extends WalbcOptions {
  /** The whole task's time limit. */
  timeoutMs: number;
  /** Between two polls (default 300 ms, as walblib). */
  intervalMs?: number;
}

/** One look at the task: finished (with its value), or still running (what was seen, for the error). */
export type Probe<T> = { done: true; value: T } | { done: false; seen: string };

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Polls `probe` until it says done, at most `timeoutMs` from now; `command` is the walbc command whose
 * task this follows (named by the timeout error, with the server).
 */
export async function follow<T>(server: WalbServer, command: string[], probe: () => Promise<Probe<T>>, o: FollowOptions): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let seen = 'nothing yet';
  for (;;) {
    const p = await probe();
    if (p.done) return p.value;
    seen = p.seen;
    const left = deadline - Date.now();
    if (left <= 0) throw new WalbTimeoutError(server, command, o.timeoutMs, seen);
    await sleep(Math.min(o.intervalMs ?? 300, left), o.signal);
  }
}

const walbcOf = (o: FollowOptions): WalbcOptions => ({ ...(o.binary ? { binary: o.binary } : {}), ...(o.signal ? { signal: o.signal } : {}), timeoutMs: 60_000 });

/** `get num-action VOL ACTION` until 0: the archive's task of that name ended. */
export function waitNoAction(server: WalbServer, vol: string, action: string, command: string[], o: FollowOptions, progress?: () => Promise<string | null>): Promise<void> {
  return follow(server, command, async () => {
    const n = (await walbc(server, ['get', 'num-action', vol, action], walbcOf(o))).trim();
    if (!/^\d+$/.test(n)) throw new WalbTaskFailedError(server, command, `get num-action ${vol} ${action} answered "${n}", not a count`);
    if (n === '0') return { done: true, value: undefined };
    const p = progress ? await progress().catch(() => null) : null;
    return { done: false, seen: `${n} ${action} running${p ? `, ${p}` : ''}` };
  }, o);
}

/**
 * `get state VOL` until it is none of `during`; then it must be one of `goals` (returned), else the
 * task failed and the error says the state it ended in. `progress`, when given, says how far the
 * task got (WalB's `get progress` on the archive receiving it) for the time-limit error.
 */
export function waitState(server: WalbServer, vol: string, states: { during: readonly string[]; goals: readonly string[] }, command: string[], o: FollowOptions, progress?: () => Promise<string | null>): Promise<string> {
  return follow(server, command, async () => {
    const st = (await walbc(server, ['get', 'state', vol], walbcOf(o))).trim();
    if (states.during.includes(st)) {
      const p = progress ? await progress().catch(() => null) : null;
      return { done: false, seen: `state ${st}${p ? `, ${p}` : ''}` };
    }
    if (!states.goals.includes(st)) throw new WalbTaskFailedError(server, command, `the volume is ${st}, not ${states.goals.join(' or ')}`);
    return { done: true, value: st };
  }, o);
}

/**
 * WalB's progress of a full or hash backup or a replication into `archive` (`get progress VOL`, in
 * logical blocks, 0 when none runs) against the volume's size (`get vol-size VOL`), as words.
 */
export function archiveProgress(archive: { name: string; server: WalbServer }, vol: string, o: FollowOptions): () => Promise<string | null> {
  let size: string | null = null;
  return async () => {
    const done = (await walbc(archive.server, ['get', 'progress', vol], walbcOf(o))).trim();
    size ??= (await walbc(archive.server, ['get', 'vol-size', vol], walbcOf(o))).trim();
    return `${archive.name} at ${done} of ${size} logical blocks`;
  };
}
