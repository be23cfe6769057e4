/**
 * What every walb driver method shares: walbc's binary, the time limits of WalB's tasks and of its
 * state changes, and the poll interval — from createWalbDriver's options, or the defaults (WalB's own
 * controller library waits 86,400 s for a task; walbctl waits a day for a task — or the host's
 * `walb.taskTimeout` — and two minutes for a start or stop).
 */
import type { DesiredHost } from '../../model/desired.js';
import type { PlanAction } from '../../model/plan.js';
import type { FollowOptions } from './follow.js';
import type { WalbcOptions } from './walbc.js';

export interface WalbDriverOptions {
  /** The walbc binary (default: $WALBC, else `walbc` on PATH). */
  binary?: string;
  /** A task's time limit (full-bkp, hash-bkp, replicate, restore, apply, merge), default 24 h; the
   *  host's `walb.taskTimeout` in the tree overrides it, and an action's `params.timeoutSeconds` both. */
  taskTimeoutMs?: number;
  /** A start's or a stop's time limit, default 120 s. */
  stateTimeoutMs?: number;
  /** Between two polls of a running task, default 300 ms. */
  intervalMs?: number;
}

export const DEFAULT_TASK_TIMEOUT_MS = 24 * 3600_000;
export const DEFAULT_STATE_TIMEOUT_MS = 120_000;

export class WalbRun {
  constructor(readonly options: WalbDriverOptions = {}, readonly signal?: AbortSignal) {}

  /** Options of one walbc call (its own time limit: WalB answers a command at once). */
  get call(): WalbcOptions {
    return { ...(this.options.binary ? { binary: this.options.binary } : {}), ...(this.signal ? { signal: this.signal } : {}), timeoutMs: 120_000 };
  }

  /** Following a task of `action` on `host`: the action's timeoutSeconds, else the host's
   *  `walb.taskTimeout`, else the driver's. */
  task(action?: PlanAction, host?: DesiredHost): FollowOptions {
    const own = action?.params.timeoutSeconds;
    const tree = host?.walb?.taskTimeoutSeconds;
    const timeoutMs = typeof own === 'number' && own > 0 ? own * 1000 : tree ? tree * 1000 : (this.options.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS);
    return { ...this.call, timeoutMs, ...(this.options.intervalMs ? { intervalMs: this.options.intervalMs } : {}) };
  }

  /** Following a start or a stop. */
  get state(): FollowOptions {
    return { ...this.call, timeoutMs: this.options.stateTimeoutMs ?? DEFAULT_STATE_TIMEOUT_MS, ...(this.options.intervalMs ? { intervalMs: this.options.intervalMs } : {}) };
  }

  with(signal?: AbortSignal): WalbRun {
    return new WalbRun(this.options, signal);
  }
}
