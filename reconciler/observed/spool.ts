/**
 * A walbctl proxy host's queues as observed state: for every volume in its spool, WalB's proxy state,
 * the log received, the volume's share of the spool against `proxy.spoolLimit` (whether it is full),
 * and per archive the diffs and bytes queued, the oldest one's gid and age, whether forwarding runs
 * and the last error. `spoolFacts` is pure (the spool's view and the forwarding loop's state in).
 */
import type { ObservedSpool, ObservedSpoolQueue } from '../../common/observed.js';
import { observeProxy, type ProxyView } from '../../native/lib/proxy/observe.js';
import { readSpoolConfig } from '../../native/lib/proxy/config.js';
import type { DesiredHost } from '../model/desired.js';

/** A spool at or above this share of its limit is full: the proxy refuses batches (no-space) about now. */
export const SPOOL_FULL_PERCENT = 90;

/** What the daemon's forwarding loop last saw of one queue (Forwarder.queues). */
export interface ForwardingFact {
  volume: string;
  archive: string;
  lastError: string | null;
}

export function spoolFacts(view: ProxyView, forwarding: readonly ForwardingFact[], nowMs: number): Record<string, ObservedSpool> {
  const full = view.limitBytes > 0 && view.spoolBytes * 100 >= view.limitBytes * SPOOL_FULL_PERCENT;
  const errors = new Map(forwarding.map((f) => [`${f.volume}\t${f.archive}`, f.lastError]));
  const out: Record<string, ObservedSpool> = {};
  for (const v of view.volumes) {
    const queues = v.queues.map((q): ObservedSpoolQueue => {
      const forwardingState = q.halted ? 'halted' : q.leaving ? 'leaving' : v.state === 'Started' ? 'started' : 'stopped';
      const halted = q.halted ? `${q.halted.reject}: ${q.halted.detail} (since ${q.halted.at})` : null;
      return {
        archive: q.archive,
        diffs: q.diffs,
        bytes: q.bytes,
        oldestGid: q.from?.b ?? null,
        oldestAgeSeconds: q.oldestArrived === null ? null : Math.max(0, Math.round((nowMs - Date.parse(q.oldestArrived)) / 100) / 10),
        forwarding: forwardingState,
        lastError: halted ?? errors.get(`${v.volume}\t${q.archive}`) ?? null,
      };
    });
    out[v.volume] = {
      state: v.state,
      receivedLsid: v.receivedLsid,
      receivedGid: v.receivedGid?.b ?? null,
      bytes: v.spoolBytes,
      spoolBytes: view.spoolBytes,
      limitBytes: view.limitBytes,
      full,
      queues,
    };
  }
  return out;
}

/** The spool of `host` (a proxy host), with the limit the tree gives it (else the one the daemon wrote). */
export async function observeSpool(host: DesiredHost, forwarding: readonly ForwardingFact[], nowMs: number): Promise<Record<string, ObservedSpool>> {
  const limit = host.roleSettings?.proxy?.spoolLimitBytes ?? (await readSpoolConfig(host.dataDir)).limitBytes;
  return spoolFacts(await observeProxy(host.dataDir, limit), forwarding, nowMs);
}
