/**
 * A quick pass over one observed volume that says only "certainly valid" (true) or "look closer"
 * (false). It accepts a subset of what parseObservedState's field-by-field checks accept and builds
 * no field paths, so a 10,000-volume fixture is checked without a million path strings; a volume it
 * does not vouch for goes through the precise checks, which name the file and field of the error.
 */
import { isIsoTime } from './check.js';

const STORAGE_STATES = new Set(['Clear', 'SyncReady', 'Stopped', 'Target', 'Standby']);
const CAPTURES = new Set(['wdev', 'scan']);
const ARCHIVE_STATES = new Set(['Clear', 'SyncReady', 'Archived', 'Stopped']);
const PROXY_STATES = new Set(['Clear', 'Stopped', 'Started']);

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNatOrNull = (v: unknown): boolean => v === null || isNat(v);
const isTime = (v: unknown): boolean => typeof v === 'string' && isIsoTime(v);
const isTimeOrNull = (v: unknown): boolean => v === null || isTime(v);
const isSnap = (v: unknown): v is { b: number; e: number } => isObj(v) && isNat(v.b) && isNat(v.e) && v.e >= v.b;

/** The quick pass for one lastApplied mark. */
export function markLooksValid(m: unknown): boolean {
  return isObj(m) && typeof m.initialized === 'boolean' && isNat(m.diffCount) && isNatOrNull(m.latestGid)
    && (m.protect === undefined || typeof m.protect === 'boolean');
}

export function volumeLooksValid(name: string, v: unknown): boolean {
  if (!isObj(v) || v.name !== name) return false;
  if (v.storage !== undefined && !storageLooksValid(v.storage)) return false;
  if (v.archive !== undefined && !archiveLooksValid(v.archive)) return false;
  if (v.proxy !== undefined) {
    const p = v.proxy;
    if (!isObj(p) || typeof p.state !== 'string' || !PROXY_STATES.has(p.state) || !Array.isArray(p.archives)) return false;
    for (const h of p.archives) if (typeof h !== 'string') return false;
    if (p.sendErrors !== undefined && (!Array.isArray(p.sendErrors) || p.sendErrors.some((h) => typeof h !== 'string'))) return false;
  }
  if (v.peers !== undefined && !peersLookValid(v.peers)) return false;
  return true;
}

function peersLookValid(peers: unknown): boolean {
  if (!isObj(peers)) return false;
  for (const p of Object.values(peers)) {
    if (!isObj(p) || typeof p.reachable !== 'boolean' || !isTime(p.observedAt)) return false;
    if (p.reachable === false) {
      if (typeof p.error !== 'string') return false;
      continue;
    }
    if (typeof p.state !== 'string' || !ARCHIVE_STATES.has(p.state) || !(p.uuid === null || typeof p.uuid === 'string')) return false;
    if (!(p.base === null || isSnap(p.base)) || !isNatOrNull(p.newestGid) || !Array.isArray(p.restorable)) return false;
    for (const g of p.restorable) if (!isNat(g)) return false;
    if (p.chain !== undefined && !chainLooksValid(p.chain)) return false;
    if (p.deviceUuid !== undefined && typeof p.deviceUuid !== 'string') return false;
  }
  return true;
}

function chainLooksValid(ch: unknown): boolean {
  if (!isObj(ch) || !isNat(ch.contiguousTo) || !setAsideLooksValid(ch.setAside)) return false;
  return ch.hole === null || (isObj(ch.hole) && isNat(ch.hole.after) && isNat(ch.hole.before) && ch.hole.before > ch.hole.after);
}

function setAsideLooksValid(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (const x of list as unknown[]) if (!isObj(x) || typeof x.file !== 'string' || !isNat(x.from) || !isNat(x.to) || typeof x.reason !== 'string' || !isTime(x.at)) return false;
  return true;
}

function storageLooksValid(s: unknown): boolean {
  return isObj(s) && typeof s.state === 'string' && STORAGE_STATES.has(s.state) && typeof s.capture === 'string' && CAPTURES.has(s.capture)
    && typeof s.uuid === 'string' && typeof s.devicePath === 'string' && isNat(s.sizeBytes) && typeof s.overflow === 'boolean'
    && isNatOrNull(s.latestGid) && (s.lastSnapshotAt === undefined || isTimeOrNull(s.lastSnapshotAt))
    && (s.overflowReason === undefined || s.overflowReason === null || typeof s.overflowReason === 'string')
    && (s.outboxBaseGid === undefined || isNat(s.outboxBaseGid));
}

function archiveLooksValid(a: unknown): boolean {
  if (!isObj(a) || typeof a.state !== 'string' || !ARCHIVE_STATES.has(a.state) || typeof a.uuid !== 'string') return false;
  const base = a.base;
  if (!isObj(base) || !isSnap(base.b) || (base.e !== undefined && !isSnap(base.e))) return false;
  if (!Array.isArray(a.diffs) || !Array.isArray(a.explicitSnapshots) || !Array.isArray(a.restorable) || !Array.isArray(a.restored)) return false;
  for (const d of a.diffs as unknown[]) {
    if (!isObj(d) || !isSnap(d.b) || !isSnap(d.e) || d.e.b <= d.b.b) return false;
    if (typeof d.mergeable !== 'boolean' || typeof d.compared !== 'boolean' || !isTime(d.timestamp) || !isNat(d.dataSize) || typeof d.file !== 'string') return false;
  }
  for (const g of a.explicitSnapshots as unknown[]) if (!isNat(g)) return false;
  for (const r of a.restorable as unknown[]) {
    if (!isObj(r) || !isNat(r.gid) || !isTime(r.timestamp) || typeof r.explicit !== 'boolean') return false;
  }
  for (const r of a.restored as unknown[]) {
    if (!isObj(r) || !isNat(r.gid) || typeof r.path !== 'string' || !isTimeOrNull(r.createdAt) || !(r.verified === null || typeof r.verified === 'boolean') || !(r.managed === undefined || typeof r.managed === 'boolean')) return false;
  }
  if (!isObj(a.replicas)) return false;
  for (const host in a.replicas) {
    const r = a.replicas[host];
    if (!isObj(r) || !isNat(r.gid) || !isTime(r.timestamp) || (r.replicatedAt !== undefined && !isTime(r.replicatedAt))) return false;
    // The optional extras (lineage, last kind, last error, transfer) are left to the full check.
    if (r.uuid !== undefined || r.lastKind !== undefined || r.lastError !== undefined || r.transfer !== undefined) return false;
  }
  return (a.busy === null || typeof a.busy === 'string') && (a.lastMergeAt === undefined || isTimeOrNull(a.lastMergeAt)) && (a.setAside === undefined || setAsideLooksValid(a.setAside));
}
