/**
 * Plans one declared volume on one host: the lifecycle of the roles the host holds for it, the
 * scheduled snapshot, the archive's data actions, declared restores and replication — and the
 * clearing of roles the host held but no longer should. Each action waits only for what it really
 * needs (design.md beside this file has the rules and reconciler's tests the table): the storage's
 * lifecycle and its snapshot form one chain, the archive's lifecycle another, the archive's data
 * actions (apply, merge) a third after it; each declared restore, each undeclared image's deletion and
 * each replication pair is a chain of its own, so a blocked or refused one holds back nothing else.
 */
import type { DesiredVolume } from '../model/desired.js';
import type { ObservedPeerArchive, ObservedVolume } from '../../common/observed.js';
import type { UpcomingAction } from '../model/plan.js';
import { chainHealth } from '../policy/diff-chain.js';
import { describeLocalHole, localLostTail, remoteHole } from '../policy/chain-hole.js';
import { archiveLifecycle, clearSteps, storageLifecycle } from '../policy/lifecycle.js';
import { describePeerArchive, describePeerHole, peerWait } from '../policy/peer-archive.js';
import type { Step } from '../policy/step.js';
import { replicationSteps } from '../policy/replication.js';
import { restoreSteps } from '../policy/restores.js';
import { toIso } from '../policy/time.js';
import { archiveData } from './archive-data.js';
import type { VolumeActions } from './builder.js';
import type { Claims } from '../policy/claims.js';
import { lastSnapshotTime, snapshotPlan } from './snapshot.js';
import { walbProxySteps, type ProxyDestination } from '../policy/walb-proxy.js';
import { additionalBases } from '../policy/proxy-bases.js';

export interface VolumeResult {
  warnings: string[];
  upcoming: UpcomingAction[];
}

export interface VolumeInput {
  host: string;
  volume: DesiredVolume;
  live: ObservedVolume | undefined;
  now: number;
  /** The paths the desired state gives the host, and who uses each (claims.ts). */
  claims?: Claims;
  /** On a host whose proxy takes plan actions (a walb-proxy): where it must forward the volume (none
   *  when the host is not one of its proxies). Absent for a walbctl proxy. */
  proxyDestinations?: readonly ProxyDestination[];
  /** Why the proxy drops every destination, when the host is no longer one of the volume's proxies. */
  proxyWhy?: string;
}

export function planVolume(input: VolumeInput, out: VolumeActions): VolumeResult {
  const { host, volume, live, now } = input;
  const warnings: string[] = [];
  const upcoming: UpcomingAction[] = [];
  // Only future times: a time already passed means the action waits on something else (retention keeps
  // the diffs an apply would fold), and a daemon ticking on it would spin.
  const at = (kind: UpcomingAction['kind'], t: number): void => {
    if (t > now) upcoming.push({ address: volume.address, kind, at: toIso(t) });
  };
  const storageHere = volume.host === host;
  let archiveHere = false;
  let primaryHere = false;
  for (const a of volume.archives) {
    if (a.host !== host) continue;
    archiveHere = true;
    if (a.primary) primaryHere = true;
  }
  const archive = live?.archive;

  let archiveReady = false;
  if (archiveHere) {
    const lc = archiveLifecycle(archive);
    for (const step of lc.steps) out.add(step, { chain: 'archive' });
    archiveReady = lc.ready;
  }
  if (storageHere) {
    const primary = volume.archives.find((a) => a.primary)?.host;
    const peer = primary !== undefined && primary !== host ? live?.peers?.[primary] : undefined;
    const lc = storageLifecycle({ host, volume, storage: live?.storage, localArchive: primaryHere ? archive : undefined, ...(peer ? { peer } : {}) });
    for (const w of lc.warnings) warnings.push(w);
    const archiveInit = out.last('archive');
    for (const step of lc.steps) {
      const waitsForArchive = step.kind === 'full-backup' || step.kind === 'hash-backup';
      out.add(step, { chain: 'storage', after: waitsForArchive && archiveInit ? [archiveInit] : [] });
    }
    const health = primaryHere && archiveReady && archive ? chainHealth(archive.base, archive.diffs, archive.setAside) : null;
    // A hole between diffs, a set-aside newest diff, or diffs lost from the end (the storage here took gids the chain no longer reaches).
    const hole = health ? (health.hole ?? localLostTail(health.contiguousTo, live?.storage) ?? undefined) : undefined;
    // A primary archive on another host states its chain's health in its status answer.
    const lostHole = primary !== undefined && primary !== host && peer?.reachable ? remoteHole(peer.chain, live?.storage?.outboxBaseGid) : null;
    if (lc.ready && live?.storage && lostHole && primary !== undefined) {
      // The same repair over the wire: the archive hashes the newest image its chain reaches and the
      // storage sends what differs; nothing that would need the missing diffs (a snapshot) goes first.
      out.add({
        kind: 'hash-backup', key: 'repair',
        params: { archive: primary, repairAfterGid: lostHole.after },
        reason: `${describePeerHole(primary, peer!, live.storage.outboxBaseGid)}: a hash backup over the wire repairs the chain before any snapshot`,
        blocked: peerWait(primary, peer, 'archived'),
      }, { chain: 'storage' });
    } else if (lc.ready && live?.storage && hole) {
      // A chain with a hole is repaired first: a hash backup sends what differs from the archive's
      // newest reachable image; a snapshot would only extend the unreachable part.
      out.add({
        kind: 'hash-backup', key: 'repair',
        params: { archive: primary ?? null, repairAfterGid: hole.after },
        reason: `the ${describeLocalHole(hole, archive?.setAside)}: a hash backup repairs the chain before any snapshot`,
      }, { chain: 'storage', after: [out.last('archive')] });
    }
    // Every other primary archive the proxies feed gets a base of its own (the first has the storage's).
    if (lc.ready && live?.storage) {
      for (const step of additionalBases(host, volume, live.storage, live.peers)) out.add(step, { chain: `base:${String(step.params.archive)}`, after: [out.last('storage')] });
    }
    if (lc.ready && live?.storage && !(lostHole && primary !== undefined) && !hole) {
      const snap = snapshotPlan(volume, { last: lastSnapshotTime(live.storage, primaryHere ? archive : undefined, peer), now });
      // A snapshot sends its diff to the archive: when that is here, it waits for the archive's start.
      const after = primaryHere ? [out.last('archive')] : [];
      if (snap.step) out.add(primary !== undefined && primary !== host ? remoteSnapshot(snap.step, primary, peer) : snap.step, { chain: 'storage', after });
      at('snapshot', snap.nextAt);
    }
  }

  let newestGid: number | null = null;
  let data: ReturnType<typeof archiveData> | undefined;
  /** The archive's init or start, when planned; and the apply that moves its base, when planned. */
  const lifecycle = out.last('archive');
  let applied: string | undefined;
  /** What the first action of `chain` waits for; later ones wait for the one before them, which did. */
  const first = (chain: string, ids: (string | undefined)[]): (string | undefined)[] => (out.last(chain) ? [] : ids);
  if (archiveHere && archiveReady && archive) {
    data = archiveData(volume, archive, { host, now });
    for (const w of data.warnings) warnings.push(w);
    // Apply and merge exclude each other and each is planned on the chain the previous one leaves.
    for (const step of data.steps) {
      const action = out.add(step, { chain: 'archive-data', after: first('archive-data', [lifecycle]) });
      if (step.kind === 'apply') applied = action.id;
    }
    for (const u of data.upcoming) at(u.kind, u.at);
    newestGid = data.newestGid;
    if (primaryHere && !archive.busy) {
      const restores = restoreSteps({ volume: volume.name, specs: volume.restores, restored: archive.restored, restorable: data.restorable, now, claims: input.claims });
      for (const w of restores.warnings) warnings.push(w);
      // A restore reads the base and the diffs up to its gid: it waits for an apply (which moves the
      // base), not for merges (which keep its gid), other restores or replication.
      for (const step of restores.steps) {
        const chain = `restore:${step.key ?? ''}`;
        out.add(step, { chain, after: first(chain, [lifecycle, step.kind === 'delete-restore' ? undefined : applied]) });
      }
    }
  }
  // A walb-proxy's destinations are planned here, whole; replication leaves them alone.
  const proxy = input.proxyDestinations ? undefined : live?.proxy;
  // A sync pair's receiver the sending archive added (synchronize) stays while the pair is declared.
  const syncKeep = input.proxyWhy ? [] : volume.replication.filter((p) => p.mode === 'sync').map((p) => p.to);
  if (input.proxyDestinations) for (const step of walbProxySteps(volume.name, live?.proxy, input.proxyDestinations, input.proxyWhy, syncKeep)) out.add(step, { chain: 'proxy' });
  if ((archiveHere && archiveReady) || proxy) {
    const repl = replicationSteps({ host, volume, archive: archiveReady ? archive : undefined, proxy, newestGid, chain: data?.chain, hold: data?.hold, now });
    // Each pair on its own: one target's replication never waits for another's.
    for (const step of repl.steps) {
      const chain = `${step.kind}:${step.key ?? ''}`;
      out.add(step, { chain, after: first(chain, [lifecycle, applied]) });
    }
    for (const t of repl.upcoming) at('replicate', t);
  }

  const why = (role: string): string => `${host} no longer holds the ${role} role of this volume`;
  const keepStorage = storageHere;
  const keepArchive = archiveHere;
  if (!keepStorage || !keepArchive) {
    const steps = clearSteps({
      storage: keepStorage ? undefined : live?.storage,
      archive: keepArchive ? undefined : archive,
      keepStorage, keepArchive,
      why: !keepStorage && live?.storage ? why('storage') : why('archive'),
    });
    out.addClear(steps);
  }
  return { warnings, upcoming };
}

/** A snapshot whose diff goes to an archive on another host states what that archive holds, and waits for it. */
function remoteSnapshot(step: Step, primary: string, peer: ObservedPeerArchive | undefined): Step {
  const blocked = peerWait(primary, peer, 'archived');
  return { ...step, params: { ...step.params, archive: primary }, reason: blocked ? step.reason : `${step.reason}; ${describePeerArchive(primary, peer)}`, blocked };
}
