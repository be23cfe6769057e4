/**
 * A storage host that lost its state, against an archive on another host that holds the old
 * device's history: db-1 (127.0.0.53) backs pg up to ar-1 (127.0.0.54); then db-1's daemon stops,
 * its data directory is wiped (all but the volume's device file) and it starts again. It initialises
 * pg anew — a new device uuid — and its plan blocks the hash backup with a reason naming ar-1 and
 * both uuids; ar-1 keeps its history untouched (nothing is sent). When the operator resets the
 * archive on ar-1, as the reason says, db-1 sends a full backup and ar-1's new gid restores to the
 * device's sha1.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { archiveMeta, deleteRestored, observeArchive, resetArchive, restore, stopArchive } from '../../native/lib/archive/index.js';
import { observeStorage } from '../../native/lib/storage/index.js';
import type { DaemonStatus } from '../../reconciler/daemon/status-model.js';
import { makeRepo, waitFor, type RunningDaemon } from './daemon-harness.js';
import { fleetHostYaml, hasOpenssl, makeHosts, startHostDaemon, stopDaemons, type FleetHost } from './fleet-harness.js';

const SIZE = 4 << 20;
const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

const volumeYaml = `volumes:
  pg:
    device:
      path: volumes/pg.img
      size: 4MiB
    capture: scan
    proxies: []
    archives: [ar-1]
    snapshots:
      every: 2s
    retention:
      keepLast: 100
`;

const daemons: RunningDaemon[] = [];
let root = '';
afterAll(async () => {
  await stopDaemons(daemons);
  if (process.env.FLEET_LOGS) writeFileSync(process.env.FLEET_LOGS, daemons.flatMap((d) => d.logs).map((l) => JSON.stringify(l)).join('\n'));
  if (root) rmSync(root, { recursive: true, force: true });
});

async function hostStatus(h: FleetHost): Promise<DaemonStatus | null> {
  try {
    const res = await fetch(`http://${h.address}:${h.statusPort}/status`);
    return res.ok ? ((await res.json()) as DaemonStatus) : null;
  } catch {
    return null;
  }
}

describe.skipIf(!hasOpenssl)('A storage host that lost its state', () => {
  it('is blocked with both uuids against the archive holding the old history, and backs up anew once the operator resets that archive', { timeout: 240_000 }, async () => {
    root = mkdtempSync(join(tmpdir(), 'walbctl-lost-state-'));
    const [db1, ar1] = await makeHosts(root, [
      { name: 'db-1', address: '127.0.0.53' },
      { name: 'ar-1', address: '127.0.0.54' },
    ]);
    const device = join(db1!.dataDir, 'volumes', 'pg.img');
    mkdirSync(join(db1!.dataDir, 'volumes'), { recursive: true });
    writeFileSync(device, randomBytes(SIZE));
    const repo = makeRepo();
    repo.commit('db-1 stores pg, ar-1 archives it', {
      'hosts/db-1.yaml': fleetHostYaml(db1!, ['storage'], volumeYaml),
      'hosts/ar-1.yaml': fleetHostYaml(ar1!, ['archive']),
    });
    daemons.push(startHostDaemon(repo.dir, 'ar-1'));
    let db = startHostDaemon(repo.dir, 'db-1');
    daemons.push(db);
    const logs: Record<string, unknown>[] = [];
    const timer = setInterval(() => logs.splice(0, logs.length, ...daemons.flatMap((d) => d.logs).filter((l) => l.level !== 20)), 200);
    timer.unref();

    await waitFor('ar-1 to hold pg with a snapshot', async () => ((await observeArchive(ar1!.dataDir, 'pg'))?.restorable.length ?? 0) >= 2, { timeoutMs: 90_000, logs });
    const oldUuid = (await observeStorage(db1!.dataDir, 'pg'))!.uuid;

    // db-1 loses its state: the daemon stops, everything in its data directory but the device goes.
    db.child.kill('SIGTERM');
    await db.exited;
    const history = (await observeArchive(ar1!.dataDir, 'pg'))!;
    for (const name of readdirSync(db1!.dataDir)) if (name !== 'volumes') rmSync(join(db1!.dataDir, name), { recursive: true, force: true });
    db = startHostDaemon(repo.dir, 'db-1');
    daemons.push(db);

    // It initialises pg anew and its plan says plainly why nothing goes to ar-1.
    const newUuid = await waitFor('db-1 to initialise pg anew', async () => (await observeStorage(db1!.dataDir, 'pg'))?.uuid, { timeoutMs: 60_000, logs });
    expect(newUuid).not.toBe(oldUuid);
    const blocked = await waitFor('db-1 to say why the hash backup is blocked', async () => {
      const pg = (await hostStatus(db1!))?.volumes['pg'];
      const c = pg?.conditions.find((x) => x.status === 'True' && x.reason === 'Blocked');
      // (The pass that planned the init said the volume was not initialised yet; the next names its uuid.)
      return c && c.message.includes('hash-backup') && c.message.includes(newUuid) ? c : null;
    }, { timeoutMs: 60_000, logs });
    expect(blocked.message).toContain(`ar-1 holds the history of device uuid ${oldUuid}, this host's pg is device uuid ${newUuid}`);
    expect(blocked.message).toContain('uuid-mismatch');
    expect(blocked.message).toContain('walbctl archive stop pg && walbctl archive reset pg');
    // Nothing was sent: ar-1 holds the old history as it was.
    const still = (await observeArchive(ar1!.dataDir, 'pg'))!;
    expect(still.restorable).toEqual(history.restorable);
    expect((await archiveMeta(ar1!.dataDir, 'pg'))!.deviceUuid).toBe(oldUuid);

    // The operator starts over on ar-1, as the reason says: db-1 sends a full backup of the device.
    // (walbctl archive stop pg && walbctl archive reset pg on ar-1; its daemon may start it again in between: tried again.)
    await waitFor('ar-1 stopped and reset', async () => {
      await stopArchive(ar1!.dataDir, 'pg').catch(() => {});
      return resetArchive(ar1!.dataDir, 'pg').then(() => true, () => false);
    }, { timeoutMs: 30_000, logs });
    const landed = await waitFor('a full backup and a snapshot of the new device on ar-1', async () => {
      const meta = await archiveMeta(ar1!.dataDir, 'pg');
      const a = await observeArchive(ar1!.dataDir, 'pg');
      return meta?.deviceUuid === newUuid && a?.state === 'Archived' && a.restorable.length > 0 ? a : null;
    }, { timeoutMs: 90_000, logs });
    const gid = landed.restorable.at(-1)!.gid;
    const out = join(root, 'restored.img');
    await restore(ar1!.dataDir, 'pg', gid, { path: out, mode: 'copy' });
    expect(sha1(out)).toBe(sha1(device));
    await deleteRestored(ar1!.dataDir, 'pg', gid, { path: out });
    clearInterval(timer);
  });
});
