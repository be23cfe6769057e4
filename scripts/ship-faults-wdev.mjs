// The storage of scripts/ship-faults.mjs as a real wdev: a walbctl-wdev server whose file the
// campaign writes (each write fsync'd, so acknowledged), snapshots taken between trials, and a
// storage child that ships the log with the daemon's own loop (Shipper, first proxy up, failover)
// until everything written is acknowledged. The campaign can kill -9 the wdev server at a random
// moment and serve it again (it replays its log); nothing acknowledged may go missing.
import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Why a real wdev cannot run here, or null. */
export function wdevSkipReason(root) {
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return 'needs /dev/fuse';
  }
  if (!existsSync(join(root, 'build/Release/walbctl-wdev'))) return 'walbctl-wdev is not built';
  return null;
}

export class WdevStorage {
  constructor(dist, dataDir, size) {
    this.dist = dist;
    this.dataDir = dataDir;
    this.size = size;
    this.pid = null;
  }

  async start() {
    const { createWdev } = await import(this.dist('native/lib/wdev/create.js'));
    const { writeCapture } = await import(this.dist('native/lib/wdev/capture-state.js'));
    const { syncLog } = await import(this.dist('native/lib/wdev/log-position.js'));
    const { wdevPaths } = await import(this.dist('native/lib/wdev/paths.js'));
    const cfg = await createWdev(this.dataDir, 'v', { sizeBytes: this.size, ringBytes: 64 << 20 });
    await this.serve();
    this.p = wdevPaths(this.dataDir, 'v');
    const st = await syncLog(this.p, 'v');
    await writeCapture(this.p.capture, { formatVersion: 1, archiveDataDir: 'wire:ar-1', shipped: { snap: { b: 0, e: 0 }, lsid: st.permanentLsid, explicit: true }, queue: [], latestGid: 0 });
    return cfg.uuid;
  }

  async serve() {
    const { serveWdev } = await import(this.dist('native/lib/wdev/serve.js'));
    this.pid = (await serveWdev(this.dataDir, 'v', { checkpointMs: 200 })).pid;
  }

  /** kill -9 of the wdev server, then serve it again (the server replays its log at start). */
  async killAndServe() {
    process.kill(this.pid, 'SIGKILL');
    for (;;) {
      try {
        process.kill(this.pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.serve();
  }

  /** Random writes (each fsync'd) into the device and `image`; then a snapshot; resolves to its gid. */
  async write(r, image, ios, explicit) {
    const fd = openSync(this.p.file, 'r+');
    try {
      for (let i = 0; i < ios; i++) {
        const blocks = 8 * r.int(1, 32);
        const address = 8 * r.int(0, (this.size / 512 - blocks) / 8);
        const buf = Buffer.alloc(blocks * 512);
        for (let k = 0; k < buf.length; k += 4) buf.writeUInt32LE(r.int(0, 0xffffffff), k);
        writeSync(fd, buf, 0, buf.length, address * 512);
        fsyncSync(fd);
        buf.copy(image, address * 512);
      }
    } finally {
      closeSync(fd);
    }
    const { snapshotWdev } = await import(this.dist('native/lib/wdev/capture.js'));
    return (await snapshotWdev(this.dataDir, 'v', { explicit, ship: false })).gid;
  }

  async stop() {
    const { stopWdev } = await import(this.dist('native/lib/wdev/stop.js'));
    await stopWdev(this.dataDir, 'v', { force: true }).catch(() => {});
  }
}

/** The storage child: ships with the daemon's loop until the log written so far is acknowledged. */
export async function shipUntilDone(dist, cfg, client) {
  const { sendLogBatch } = await import(dist('native/lib/proxy/log-batch.js'));
  const { ProxyFailover } = await import(dist('native/lib/wdev/proxy-failover.js'));
  const { Shipper } = await import(dist('native/lib/wdev/shipper.js'));
  const { readCapture } = await import(dist('native/lib/wdev/capture-state.js'));
  const { wdevStatus } = await import(dist('native/lib/wdev/status.js'));
  const { wdevPaths } = await import(dist('native/lib/wdev/paths.js'));
  const w = await import(dist('native/lib/wire/index.js'));
  const fo = new ProxyFailover([cfg.proxy], {
    send: (peer, meta, wlog) => sendLogBatch(client, peer, { meta, wlog, checkpointBytes: 1 << 20 }),
    probe: (peer) => w.wireStatus(client, peer, 'v'),
    heartbeatMs: 300,
    probeTimeoutMs: 1000,
  });
  const shipper = new Shipper(cfg.wdevDataDir, 'v', fo, { firstBackoffMs: 50, maxBackoffMs: 500, maxBatchBytes: 1 << 20 });
  fo.start();
  for (;;) {
    await shipper.once();
    if (shipper.state.overflowed) {
      process.stderr.write(`storage: overflow: ${shipper.state.lastError}\n`);
      process.exit(3);
    }
    const s = await readCapture(wdevPaths(cfg.wdevDataDir, 'v').capture, 'v');
    const st = await wdevStatus(cfg.wdevDataDir, 'v').catch(() => null);
    if (st && s.queue.length === 0 && s.shipped.lsid >= st.permanentLsid) break;
    if (shipper.state.lastError && process.env.SHIP_FAULTS_DEBUG) process.stderr.write(`storage: ${shipper.state.lastError}\n`);
    await new Promise((r) => setTimeout(r, 20));
  }
  fo.stop();
  process.exit(0);
}
