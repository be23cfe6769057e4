/**
 * npm run bench:ship — what continuous log shipping costs the writer, and how far the archive trails.
 * fio writes to a loop device over a served wdev (4 KiB random, 1 MiB sequential, iodepth 16,
 * direct), alternating in one run: shipping off (the log is only freed between runs, as bench:wdev
 * does) and shipping on (this process ships bounded batches over mutual TLS to a proxy process on
 * 127.0.0.41, which forwards them to an archive process on 127.0.0.42). While shipping, the recovery
 * point — now minus the time the newest diff the archive holds was cut from the log — is sampled
 * every 250 ms. Goals: writer cost < 10 %, recovery point p99 < 5 s, proxy peak RSS < 256 MB.
 * BENCH_SHIP_SIZE (bytes, default 1 GiB), BENCH_SHIP_RUNTIME (s, default 15), BENCH_SHIP_ROUNDS (2).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { initArchiveVolume } from '../../native/lib/archive/lifecycle.js';
import { restorable } from '../../native/lib/archive/query.js';
import { receiveFullBackup } from '../../native/lib/archive/receive.js';
import { packageRoot } from '../../native/lib/load.js';
import { addArchive, startVolume } from '../../native/lib/proxy/archives.js';
import { writeSpoolConfig } from '../../native/lib/proxy/config.js';
import { sendLogBatch } from '../../native/lib/proxy/log-batch.js';
import { attachWdev, detachWdev } from '../../native/lib/wdev/attach.js';
import { readCapture, writeCapture } from '../../native/lib/wdev/capture-state.js';
import { createWdev } from '../../native/lib/wdev/create.js';
import { readWdevConfig } from '../../native/lib/wdev/config.js';
import { resetLog, setOldest, syncLog } from '../../native/lib/wdev/log-position.js';
import { wdevPaths } from '../../native/lib/wdev/paths.js';
import { checkPrerequisites, serveWdev } from '../../native/lib/wdev/serve.js';
import { ProxyFailover } from '../../native/lib/wdev/proxy-failover.js';
import { Shipper } from '../../native/lib/wdev/shipper.js';
import { stopWdev } from '../../native/lib/wdev/stop.js';
import { initCa, issueHost, WireClient, wireStatus, type WirePeer } from '../../native/lib/wire/index.js';
import { runFio, runFioAsync, type FioJob, type FioResult } from '../wdev/fio.js';

const SIZE = Number(process.env.BENCH_SHIP_SIZE ?? 1 << 30);
const RUNTIME = Number(process.env.BENCH_SHIP_RUNTIME ?? 15);
const ROUNDS = Math.max(1, Number(process.env.BENCH_SHIP_ROUNDS ?? 2));
const RING = 8 * 2 ** 30;
// The most one batch carries (WalB's ceiling is 128 MiB; smaller batches keep the recovery point short).
const BATCH = Number(process.env.BENCH_SHIP_BATCH ?? 32 << 20);
// The sequential job runs at most 8 s: at 600 MiB/s, 15 s of it is more log than the 8 GiB ring holds
// while a batch crosses the wire at tens of MiB/s (the ring absorbs the burst; the recovery point grows).
const JOBS: (FioJob & { metric: 'iops' | 'mibPerSec'; runtime: number })[] = [
  { name: 'rand4k', rw: 'randwrite', bs: '4k', metric: 'iops', runtime: RUNTIME },
  { name: 'seq1m', rw: 'write', bs: '1m', metric: 'mibPerSec', runtime: Math.min(RUNTIME, 8) },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts scripts/ship-host.mjs in one role; resolves once it listens, with its address. */
function startHost(role: 'proxy' | 'archive', cfg: { host: string } & Record<string, unknown>): Promise<{ child: ChildProcess; peer: WirePeer }> {
  const child = spawn(process.execPath, [join(packageRoot(), 'scripts/ship-host.mjs'), '--role', role, '--config', JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        const ready = (JSON.parse(out.split('\n')[0]!) as { ready: { address: string; port: number } }).ready;
        resolve({ child, peer: { host: cfg.host, ...ready } });
      }
    });
    child.once('exit', (code) => reject(new Error(`${role} ${cfg.host} exited ${code}`)));
  });
}

/** A field of /proc/PID/status in MiB (VmHWM: peak RSS; RssAnon: heap and buffers; RssFile: mapped files). */
function statusMiB(pid: number, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}

async function main(): Promise<void> {
  await checkPrerequisites();
  const root = mkdtempSync(join(process.env.BENCH_SHIP_DIR ?? '/var/tmp', 'walbctl-bench-ship-'));
  const dataDir = join(root, 'db-1');
  const px = join(root, 'px-1');
  const ar = join(root, 'ar-1');
  const pki = join(root, 'pki');
  const vol = 'bench';
  const hosts: ChildProcess[] = [];
  try {
    await initCa(pki);
    for (const h of ['db-1', 'px-1', 'ar-1']) await issueHost(pki, h);
    const tls = (h: string) => ({ ca: join(pki, 'ca.crt'), cert: join(pki, `${h}.crt`), key: join(pki, `${h}.key`) });
    await createWdev(dataDir, vol, { sizeBytes: SIZE, ringBytes: RING });
    await serveWdev(dataDir, vol);
    const p = wdevPaths(dataDir, vol);
    const cfg = await readWdevConfig(p.config);
    // The archive starts from the all-zero image at gid 0, the log from where the wdev is now.
    await initArchiveVolume(ar, vol);
    await receiveFullBackup(ar, vol, { deviceUuid: cfg.uuid, sizeBytes: SIZE, snap: { b: 0, e: 0 }, timestamp: new Date().toISOString(), id: 'bench', produce: async (tmp) => {
      await writeFile(tmp, '');
      execFileSync('truncate', ['-s', String(SIZE), tmp]);
    } });
    const start = await syncLog(p, vol);
    await writeCapture(p.capture, { formatVersion: 1, archiveDataDir: join(root, 'unused'), shipped: { snap: { b: 0, e: 0 }, lsid: start.permanentLsid, explicit: false }, queue: [], latestGid: 0 });
    await addArchive(px, vol, { host: 'ar-1' });
    await startVolume(px, vol);
    await writeSpoolConfig(px, { limitBytes: 4 * 2 ** 30 });
    const arHost = await startHost('archive', { host: 'ar-1', pki, dataDir: ar, listen: { address: '127.0.0.42', port: 0 } });
    hosts.push(arHost.child);
    const pxHost = await startHost('proxy', { host: 'px-1', pki, dataDir: px, listen: { address: '127.0.0.41', port: 0 }, volume: vol, archives: { 'ar-1': arHost.peer }, idleMs: 50 });
    hosts.push(pxHost.child);
    const client = new WireClient({ host: 'db-1', tls: tls('db-1'), connectTimeoutMs: 5000 });
    const w = await attachWdev(dataDir, vol);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load ${readFileSync('/proc/loadavg', 'utf8').trim()}; ${new Date().toISOString()}`);
    console.log(`wdev ${(SIZE / 2 ** 30).toFixed(2)} GiB on ${w.device}; proxy px-1 ${pxHost.peer.address}:${pxHost.peer.port} (pid ${pxHost.child.pid}), archive ar-1 ${arHost.peer.address}:${arHost.peer.port}; ${RUNTIME} s per run, ${ROUNDS} rounds, batches of at most ${(BATCH / 2 ** 20).toFixed(0)} MiB`);
    runFio({ name: 'fill', rw: 'write', bs: '1m' }, w.device, { runtimeSec: 0, sizeBytes: SIZE }); // first touch, unmeasured
    // Shipping off: the log is freed before each run and every 2 s during it, as if shipped at no
    // cost (a 1 MiB sequential writer fills even an 8 GiB ring in 15 s). A run that overflowed the
    // ring (shipping slower than the writer) is reported, and the log restarted for the next run.
    let overflows = 0;
    const drop = async () => {
      let st = await syncLog(p, vol);
      if (st.overflow) {
        overflows++;
        console.log('  the log overflowed during that run (shipping did not keep up): log restarted');
        st = await resetLog(p, vol);
      }
      await setOldest(p, vol, st.permanentLsid);
    };
    const offRun = async (job: FioJob & { runtime: number }) => {
      const t = setInterval(() => void drop().catch(() => {}), 2000);
      try {
        return await runFioAsync(job, w.device, { runtimeSec: job.runtime, sizeBytes: SIZE });
      } finally {
        clearInterval(t);
      }
    };
    // Shipping on: the ship loop, and when each gid was cut from the log (for the recovery point).
    const cutAt = new Map<number, number>([[0, Date.now()]]);
    let shipping = false;
    let shipped = 0;
    let shippedBytes = 0;
    const fo = new ProxyFailover([pxHost.peer], { send: (peer, meta, wlog) => sendLogBatch(client, peer, { meta, wlog }), probe: (peer) => wireStatus(client, peer, vol) });
    const shipper = new Shipper(dataDir, vol, fo, {
      maxBatchBytes: BATCH,
      onBatch: (b, at) => {
        cutAt.set(b.gid, at);
        shipped++;
        shippedBytes += b.bytes;
      },
    });
    const shipLoop = async () => {
      shipper.start();
      while (shipping) await sleep(50);
      await shipper.stop();
      if (shipper.state.lastError) console.log(`  shipping: ${shipper.state.lastError}`);
    };
    let peakAnon = 0;
    const rows: { job: string; metric: string; off: FioResult[]; on: FioResult[]; rp: number[] }[] = [];
    // Before each shipping run the log is freed unshipped (as for the off runs) and the shipped
    // position moved there: the archive's image then no longer matches the device (this bench checks
    // costs and delays, not contents: test/native/proxy and scripts/ship-faults.mjs check contents).
    const skipToNow = async () => {
      await drop();
      const st0 = await syncLog(p, vol);
      const c = await readCapture(p.capture, vol);
      c.shipped.lsid = st0.permanentLsid;
      c.queue = [];
      await writeCapture(p.capture, c);
      shipper.state.overflowed = false;
      shipper.state.lastError = null;
    };
    for (const job of JOBS) {
      const row = { job: job.name, metric: job.metric, off: [] as FioResult[], on: [] as FioResult[], rp: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        await drop();
        // off: the log only fills; nothing reads it.
        row.off.push(await offRun(job));
        await skipToNow();
        shipping = true;
        const loop = shipLoop();
        const sampler = setInterval(() => {
          peakAnon = Math.max(peakAnon, statusMiB(pxHost.child.pid!, 'RssAnon'));
          void restorable(ar, vol).then((r) => {
            const g = r[r.length - 1]?.gid ?? 0;
            const t = cutAt.get(g);
            if (t !== undefined && g > 0) row.rp.push((Date.now() - t) / 1000);
          });
        }, 250);
        row.on.push(await runFioAsync(job, w.device, { runtimeSec: job.runtime, sizeBytes: SIZE }));
        shipping = false;
        await loop;
        clearInterval(sampler);
        console.log(`  ${job.name} round ${round + 1}: off ${row.off[round]![job.metric].toFixed(1)}, on ${row.on[round]![job.metric].toFixed(1)} ${job.metric === 'iops' ? 'IOPS' : 'MiB/s'}; ${shipped} batches, ${(shippedBytes / 2 ** 20).toFixed(0)} MiB shipped so far`);
      }
      rows.push(row);
    }
    const pxRss = statusMiB(pxHost.child.pid!, 'VmHWM');
    const cpu = (pid: number) => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 10 ms
    };
    const own = process.cpuUsage();
    console.log(`CPU (user+sys) over the whole run: proxy ${cpu(pxHost.child.pid!).toFixed(1)} s, archive ${cpu(arHost.child.pid!).toFixed(1)} s, storage's shipping (this process) ${((own.user + own.system) / 1e6).toFixed(1)} s; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    console.log('\n| job | shipping off | shipping on | writer cost | recovery point p50 / p99 / max | samples |\n|---|---|---|---|---|---|');
    for (const r of rows) {
      const med = (xs: FioResult[]) => percentile(xs.map((x) => x[r.metric as 'iops']), 50);
      const [off, on] = [med(r.off), med(r.on)];
      const unit = r.metric === 'iops' ? 'IOPS' : 'MiB/s';
      console.log(`| ${r.job} | ${off.toFixed(0)} ${unit} | ${on.toFixed(0)} ${unit} | ${(((off - on) / off) * 100).toFixed(1)} % | ${percentile(r.rp, 50).toFixed(2)} / ${percentile(r.rp, 99).toFixed(2)} / ${Math.max(...r.rp).toFixed(2)} s | ${r.rp.length} |`);
    }
    if (overflows) console.log(`${overflows} shipping run(s) overflowed the ${RING / 2 ** 30} GiB ring`);
    console.log(`proxy peak RSS (VmHWM): ${pxRss.toFixed(0)} MiB (anonymous at most ${peakAnon.toFixed(0)} MiB in the 250 ms samples); ${shipped} batches, ${(shippedBytes / 2 ** 20).toFixed(0)} MiB shipped`);
  } finally {
    for (const c of hosts) c.kill('SIGKILL');
    await detachWdev(dataDir, vol).catch(() => {});
    await stopWdev(dataDir, vol, { force: true }).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
