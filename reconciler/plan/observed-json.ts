/**
 * Reads an ObservedState from JSON text (`walbctl show observed --json` output, or a hand-written
 * fixture), checking every field the planner uses, so bad input is one clear error naming the file
 * and the field rather than a wrong plan. A volume the quick pass (observed-quick.ts) vouches for skips
 * the field-by-field checks, which build a path string per field.
 */
import type { GidSnap, ObservedArchive, ObservedState, ObservedStorage } from '../../common/observed.js';
import { Checker, parseJsonText } from './check.js';
import { markLooksValid, volumeLooksValid } from './observed-quick.js';

export function parseObservedState(text: string, file: string): ObservedState {
  const c = new Checker(file);
  const top = c.object(parseJsonText(text, file), '');
  if (top.formatVersion !== 1) c.fail('formatVersion', `expected 1, got ${JSON.stringify(top.formatVersion)}`);
  c.string(top.host, 'host');
  c.time(top.observedAt, 'observedAt');
  const volumes = c.object(top.volumes, 'volumes');
  for (const [name, raw] of Object.entries(volumes)) {
    if (!volumeLooksValid(name, raw)) checkVolume(c, name, raw);
  }
  if (top.lastApplied !== null && top.lastApplied !== undefined) {
    const la = c.object(top.lastApplied, 'lastApplied');
    c.string(la.revision, 'lastApplied.revision', true);
    c.time(la.at, 'lastApplied.at', true);
    const marks = c.object(la.volumes, 'lastApplied.volumes');
    for (const name in marks) {
      const raw = marks[name];
      if (markLooksValid(raw)) continue; // the field paths below are built only for a mark that fails
      const p = `lastApplied.volumes.${name}`;
      const m = c.object(raw, p);
      c.boolean(m.initialized, `${p}.initialized`);
      c.number(m.diffCount, `${p}.diffCount`);
      c.number(m.latestGid, `${p}.latestGid`, true);
      if (m.protect !== undefined) c.boolean(m.protect, `${p}.protect`);
    }
  } else if (top.lastApplied === undefined) {
    c.fail('lastApplied', 'expected an object or null, got nothing (missing)');
  }
  return top as unknown as ObservedState;
}

/** The precise, field-by-field checks of one volume: the first bad field is the error. */
export function checkVolume(c: Checker, name: string, raw: unknown): void {
  const p = `volumes.${name}`;
  const v = c.object(raw, p);
  if (v.name !== name) c.fail(`${p}.name`, `expected "${name}" (the key), got ${JSON.stringify(v.name)}`);
  if (v.storage !== undefined) checkStorage(c, v.storage, `${p}.storage`);
  if (v.archive !== undefined) checkArchive(c, v.archive, `${p}.archive`);
  if (v.spool !== undefined) checkSpool(c, v.spool, `${p}.spool`);
  if (v.proxy !== undefined) {
    const proxy = c.object(v.proxy, `${p}.proxy`);
    c.oneOf(proxy.state, `${p}.proxy.state`, ['Clear', 'Stopped', 'Started'] as const);
    c.array(proxy.archives, `${p}.proxy.archives`).forEach((h, i) => c.string(h, `${p}.proxy.archives[${i}]`));
    if (proxy.sendErrors !== undefined) c.array(proxy.sendErrors, `${p}.proxy.sendErrors`).forEach((h, i) => c.string(h, `${p}.proxy.sendErrors[${i}]`));
  }
  if (v.peers !== undefined) {
    for (const [host, raw] of Object.entries(c.object(v.peers, `${p}.peers`))) checkPeer(c, raw, `${p}.peers.${host}`);
  }
}

function checkPeer(c: Checker, raw: unknown, p: string): void {
  const peer = c.object(raw, p);
  c.boolean(peer.reachable, `${p}.reachable`);
  c.time(peer.observedAt, `${p}.observedAt`);
  if (peer.reachable === false) {
    c.string(peer.error, `${p}.error`);
    return;
  }
  c.oneOf(peer.state, `${p}.state`, ['Clear', 'SyncReady', 'Archived', 'Stopped'] as const);
  c.string(peer.uuid, `${p}.uuid`, true);
  if (peer.deviceUuid !== undefined) c.string(peer.deviceUuid, `${p}.deviceUuid`);
  if (peer.base !== null) checkSnap(c, peer.base, `${p}.base`);
  c.number(peer.newestGid, `${p}.newestGid`, true);
  c.array(peer.restorable, `${p}.restorable`).forEach((g, i) => c.number(g, `${p}.restorable[${i}]`));
  if (peer.chain !== undefined) checkChain(c, peer.chain, `${p}.chain`);
}

function checkChain(c: Checker, raw: unknown, p: string): void {
  const ch = c.object(raw, p);
  c.number(ch.contiguousTo, `${p}.contiguousTo`);
  if (ch.hole !== null) {
    const h = c.object(ch.hole, `${p}.hole`);
    const after = c.number(h.after, `${p}.hole.after`)!;
    const before = c.number(h.before, `${p}.hole.before`)!;
    if (before <= after) c.fail(`${p}.hole`, `a hole must end after it begins (after ${after}, before ${before})`);
  }
  checkSetAside(c, ch.setAside, `${p}.setAside`);
}

function checkSetAside(c: Checker, raw: unknown, p: string): void {
  c.array(raw, p).forEach((item, i) => {
    const x = c.object(item, `${p}[${i}]`);
    c.string(x.file, `${p}[${i}].file`);
    c.number(x.from, `${p}[${i}].from`);
    c.number(x.to, `${p}[${i}].to`);
    c.string(x.reason, `${p}[${i}].reason`);
    c.time(x.at, `${p}[${i}].at`);
  });
}

function checkSpool(c: Checker, raw: unknown, p: string): void {
  const s = c.object(raw, p);
  c.oneOf(s.state, `${p}.state`, ['Stopped', 'Started'] as const);
  c.number(s.receivedLsid, `${p}.receivedLsid`, true);
  c.number(s.receivedGid, `${p}.receivedGid`, true);
  c.number(s.bytes, `${p}.bytes`);
  c.number(s.spoolBytes, `${p}.spoolBytes`);
  c.number(s.limitBytes, `${p}.limitBytes`);
  c.boolean(s.full, `${p}.full`);
  c.array(s.queues, `${p}.queues`).forEach((raw, i) => {
    const q = c.object(raw, `${p}.queues[${i}]`);
    c.string(q.archive, `${p}.queues[${i}].archive`);
    c.number(q.diffs, `${p}.queues[${i}].diffs`);
    c.number(q.bytes, `${p}.queues[${i}].bytes`);
    c.number(q.oldestGid, `${p}.queues[${i}].oldestGid`, true);
    c.number(q.oldestAgeSeconds, `${p}.queues[${i}].oldestAgeSeconds`, true);
    c.oneOf(q.forwarding, `${p}.queues[${i}].forwarding`, ['started', 'stopped', 'halted', 'leaving'] as const);
    c.string(q.lastError, `${p}.queues[${i}].lastError`, true);
  });
}

function checkStorage(c: Checker, raw: unknown, p: string): ObservedStorage {
  const s = c.object(raw, p);
  c.oneOf(s.state, `${p}.state`, ['Clear', 'SyncReady', 'Stopped', 'Target', 'Standby'] as const);
  c.oneOf(s.capture, `${p}.capture`, ['wdev', 'scan'] as const);
  c.string(s.uuid, `${p}.uuid`);
  c.string(s.devicePath, `${p}.devicePath`);
  c.number(s.sizeBytes, `${p}.sizeBytes`);
  c.boolean(s.overflow, `${p}.overflow`);
  if (s.overflowReason !== undefined) c.string(s.overflowReason, `${p}.overflowReason`, true);
  c.number(s.latestGid, `${p}.latestGid`, true);
  if (s.lastSnapshotAt !== undefined) c.time(s.lastSnapshotAt, `${p}.lastSnapshotAt`, true);
  if (s.outboxBaseGid !== undefined) c.number(s.outboxBaseGid, `${p}.outboxBaseGid`);
  if (s.shipping !== undefined) {
    const x = c.object(s.shipping, `${p}.shipping`);
    c.number(x.writtenLsid, `${p}.shipping.writtenLsid`);
    c.number(x.shippedLsid, `${p}.shipping.shippedLsid`);
    c.number(x.convertedLsid, `${p}.shipping.convertedLsid`, true);
    c.number(x.archivedLsid, `${p}.shipping.archivedLsid`, true);
    c.number(x.recoveryPointSeconds, `${p}.shipping.recoveryPointSeconds`, true);
  }
  return s as unknown as ObservedStorage;
}

function checkSnap(c: Checker, raw: unknown, p: string): GidSnap {
  const s = c.object(raw, p);
  const b = c.number(s.b, `${p}.b`)!;
  const e = c.number(s.e, `${p}.e`)!;
  if (e < b) c.fail(p, `a snapshot's e (${e}) must not be below its b (${b})`);
  return { b, e };
}

function checkArchive(c: Checker, raw: unknown, p: string): ObservedArchive {
  const a = c.object(raw, p);
  c.oneOf(a.state, `${p}.state`, ['Clear', 'SyncReady', 'Archived', 'Stopped'] as const);
  const base = c.object(a.base, `${p}.base`);
  checkSnap(c, base.b, `${p}.base.b`);
  if (base.e !== undefined) checkSnap(c, base.e, `${p}.base.e`);
  c.string(a.uuid, `${p}.uuid`);
  c.array(a.diffs, `${p}.diffs`).forEach((raw, i) => {
    const q = `${p}.diffs[${i}]`;
    const d = c.object(raw, q);
    const b = checkSnap(c, d.b, `${q}.b`);
    const e = checkSnap(c, d.e, `${q}.e`);
    if (e.b <= b.b) c.fail(q, `a diff must end after it begins (b.b ${b.b}, e.b ${e.b})`);
    c.boolean(d.mergeable, `${q}.mergeable`);
    c.boolean(d.compared, `${q}.compared`);
    c.time(d.timestamp, `${q}.timestamp`);
    c.number(d.dataSize, `${q}.dataSize`);
    c.string(d.file, `${q}.file`);
  });
  c.array(a.explicitSnapshots, `${p}.explicitSnapshots`).forEach((g, i) => c.number(g, `${p}.explicitSnapshots[${i}]`));
  c.array(a.restorable, `${p}.restorable`).forEach((raw, i) => {
    const r = c.object(raw, `${p}.restorable[${i}]`);
    c.number(r.gid, `${p}.restorable[${i}].gid`);
    c.time(r.timestamp, `${p}.restorable[${i}].timestamp`);
    c.boolean(r.explicit, `${p}.restorable[${i}].explicit`);
  });
  c.array(a.restored, `${p}.restored`).forEach((raw, i) => {
    const r = c.object(raw, `${p}.restored[${i}]`);
    c.number(r.gid, `${p}.restored[${i}].gid`);
    c.string(r.path, `${p}.restored[${i}].path`);
    c.time(r.createdAt, `${p}.restored[${i}].createdAt`, true);
    c.boolean(r.verified, `${p}.restored[${i}].verified`, true);
    if (r.managed !== undefined) c.boolean(r.managed, `${p}.restored[${i}].managed`);
  });
  for (const [host, raw] of Object.entries(c.object(a.replicas, `${p}.replicas`))) {
    const r = c.object(raw, `${p}.replicas.${host}`);
    c.number(r.gid, `${p}.replicas.${host}.gid`);
    c.time(r.timestamp, `${p}.replicas.${host}.timestamp`);
    if (r.replicatedAt !== undefined) c.time(r.replicatedAt, `${p}.replicas.${host}.replicatedAt`);
    checkReplicaExtras(c, r, `${p}.replicas.${host}`);
  }
  c.string(a.busy, `${p}.busy`, true);
  if (a.lastMergeAt !== undefined) c.time(a.lastMergeAt, `${p}.lastMergeAt`, true);
  if (a.setAside !== undefined) checkSetAside(c, a.setAside, `${p}.setAside`);
  return a as unknown as ObservedArchive;
}

/** The optional fields of a replica's cursor: lineage, last kind, last error, transfer under way. */
function checkReplicaExtras(c: Checker, r: Record<string, unknown>, q: string): void {
  if (r.uuid !== undefined) c.string(r.uuid, `${q}.uuid`);
  if (r.lastKind !== undefined) c.oneOf(r.lastKind, `${q}.lastKind`, ['full', 'diff', 'hash'] as const);
  if (r.lastError !== undefined && r.lastError !== null) {
    const e = c.object(r.lastError, `${q}.lastError`);
    c.string(e.message, `${q}.lastError.message`);
    c.time(e.at, `${q}.lastError.at`);
  }
  if (r.transfer !== undefined && r.transfer !== null) {
    const t = c.object(r.transfer, `${q}.transfer`);
    c.oneOf(t.kind, `${q}.transfer.kind`, ['full', 'diff', 'hash'] as const);
    c.number(t.toGid, `${q}.transfer.toGid`);
    c.time(t.startedAt, `${q}.transfer.startedAt`);
    c.number(t.doneBytes, `${q}.transfer.doneBytes`);
    c.number(t.totalBytes, `${q}.transfer.totalBytes`, true);
  }
}

/** An observed state with nothing in it: a host whose volumes do not exist yet. */
export function emptyObservedState(host: string, observedAt: string): ObservedState {
  return { formatVersion: 1, host, observedAt, volumes: {}, lastApplied: null };
}
