#!/usr/bin/env node
// Fault campaign for log shipping (issue 12): a storage process sends batches of logpacks to a
// proxy process, which forwards them to two archive processes, every hop over mutual TLS through
// a fault relay. Where a wdev can run (root, /dev/fuse, walbctl-wdev built; not with --synthetic)
// the storage is a real wdev (scripts/ship-faults-wdev.mjs): the campaign writes its file, takes a
// snapshot, and the storage process ships the log with the daemon's loop; elsewhere the storage
// sends prepared batches. Each trial writes and injects one fault: kill -9 of the storage, of the
// wdev server (then served again: it replays its log), the proxy or an archive at a random moment
// (then restart it), or a relay that cuts, stalls or flips a byte of a random connection. After each trial the fleet must converge: every acknowledged batch
// reaches both archives, no diff is there twice, and the newest gid restores to the bytes the
// device had. Prints counts; with --json, one JSON line.
//
//   node scripts/ship-faults.mjs [--trials 200] [--seed N] [--json]
// Needs `npm run build` (it runs dist/). The proxy and archives run scripts/ship-host.mjs; the
// storage is this script with --role storage.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { shipUntilDone, WdevStorage, wdevSkipReason } from './ship-faults-wdev.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(root, 'dist', p);
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const CHANNEL = { heartbeatMs: 250, deadAfterMs: 1500 };
const SIZE = 4 << 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function wire() {
  return import(dist('native/lib/wire/index.js'));
}

// ---------------------------------------------------------------- child roles
async function childMain(role) {
  const cfg = JSON.parse(arg('config'));
  const w = await wire();
  const tls = (h) => ({ ca: join(cfg.pki, 'ca.crt'), cert: join(cfg.pki, `${h}.crt`), key: join(cfg.pki, `${h}.key`) });
  // storage: send every batch from the first one not acknowledged; the acknowledged count is durable.
  const { sendLogBatch } = await import(dist('native/lib/proxy/log-batch.js'));
  const { atomicWriteFile } = await import(dist('common/atomic-write.js'));
  const client = new w.WireClient({ host: 'db-1', tls: tls('db-1'), connectTimeoutMs: 2000, channel: CHANNEL });
  if (cfg.wdevDataDir) await shipUntilDone(dist, cfg, client);
  const ackedPath = join(cfg.dir, 'acked');
  for (;;) {
    const acked = Number(readFileSync(ackedPath, 'utf8'));
    if (acked >= cfg.batches) break;
    const meta = JSON.parse(readFileSync(join(cfg.dir, `batch-${acked}.json`), 'utf8'));
    try {
      await sendLogBatch(client, cfg.proxy, { meta, wlog: join(cfg.dir, `batch-${acked}.wlog`), checkpointBytes: 1 << 20 });
      await atomicWriteFile(ackedPath, String(acked + 1));
    } catch (e) {
      if (process.env.SHIP_FAULTS_DEBUG) process.stderr.write(`storage: batch ${acked}: ${e.message}\n`);
      if (e.policy === 'drop') await atomicWriteFile(ackedPath, String(acked + 1));
      else if (w.backsOff(e)) await sleep(50);
      else {
        process.stderr.write(`storage: batch ${acked}: ${e.message}\n`);
        process.exit(2);
      }
    }
  }
  process.exit(0);
}

// ---------------------------------------------------------------- the campaign
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

const sha1 = (b) => createHash('sha1').update(b).digest('hex');

async function freePort(address) {
  const s = createServer();
  await new Promise((r) => s.listen(0, address, r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function startChild(role, config) {
  const script = role === 'storage' ? fileURLToPath(import.meta.url) : join(root, 'scripts/ship-host.mjs');
  const child = spawn(process.execPath, [script, '--role', role, '--config', JSON.stringify({ ...config, channel: CHANNEL })], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
    if (process.env.SHIP_FAULTS_DEBUG) process.stderr.write(`[${role}] ${d}`);
  });
  const ready = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(child);
    });
    child.on('exit', (code) => (role === 'storage' ? resolve(child) : reject(new Error(`${role} exited ${code} before it was ready: ${err.slice(0, 400)}`))));
  });
  child.errText = () => err;
  return role === 'storage' ? child : ready;
}

async function kill9(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

async function main() {
  const trials = Number(arg('trials', '200'));
  const seed = Number(arg('seed', String(Date.now() % 100000)));
  const json = args.includes('--json');
  const r = rng(seed);
  const w = await wire();
  const { writeWlog } = await import(dist('native/lib/wlog.js'));
  const { initArchiveVolume } = await import(dist('native/lib/archive/lifecycle.js'));
  const { receiveFullBackup } = await import(dist('native/lib/archive/receive.js'));
  const { restore } = await import(dist('native/lib/archive/restore.js'));
  const { restorable } = await import(dist('native/lib/archive/query.js'));
  const { listDiffFiles } = await import(dist('native/lib/archive/volume.js'));
  const { archivePaths } = await import(dist('native/lib/archive/layout.js'));
  const { verifyFile } = await import(dist('native/lib/wdiff.js'));
  const proxyLib = await import(dist('native/lib/proxy/index.js'));

  const dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'walbctl-ship-faults-'));
  const pki = join(dir, 'pki');
  await w.initCa(pki);
  for (const h of ['db-1', 'px-1', 'ar-1', 'ar-2']) await w.issueHost(pki, h);
  // The storage: a real wdev where one can run, else prepared batches.
  const real = args.includes('--synthetic') ? null : wdevSkipReason(root) === null ? new WdevStorage(dist, mkdtempSync(join('/var/tmp', 'walbctl-ship-faults-wdev-')), SIZE) : null;
  const uuid = real ? Buffer.from(await real.start(), 'hex') : Buffer.from(createHash('md5').update(String(seed)).digest());
  const salt = 0x1234;
  const data = { 'px-1': join(dir, 'px-1'), 'ar-1': join(dir, 'ar-1'), 'ar-2': join(dir, 'ar-2') };
  for (const a of ['ar-1', 'ar-2']) {
    await initArchiveVolume(data[a], 'v');
    await receiveFullBackup(data[a], 'v', { deviceUuid: uuid.toString('hex'), sizeBytes: SIZE, snap: { b: 0, e: 0 }, timestamp: new Date().toISOString(), id: 'base', produce: (tmp) => writeFile(tmp, Buffer.alloc(SIZE)) });
    await proxyLib.addArchive(data['px-1'], 'v', { host: a });
  }
  await proxyLib.startVolume(data['px-1'], 'v');
  await proxyLib.writeSpoolConfig(data['px-1'], { limitBytes: 1 << 30 });

  // Fixed ports so a restarted process is found where its relay points.
  const addr = { 'px-1': '127.0.0.31', 'ar-1': '127.0.0.32', 'ar-2': '127.0.0.33' };
  const port = {};
  for (const h of Object.keys(addr)) port[h] = await freePort(addr[h]);
  let plan = { 'db-1>px-1': null, 'px-1>ar-1': null, 'px-1>ar-2': null };
  const relays = {};
  for (const [link, target] of [['db-1>px-1', 'px-1'], ['px-1>ar-1', 'ar-1'], ['px-1>ar-2', 'ar-2']]) {
    relays[link] = await w.startRelay({ listen: { address: '127.0.0.1' }, target: { address: addr[target], port: port[target] }, plan: () => { const f = plan[link]; plan[link] = null; return f; } });
  }
  const viaRelay = (link, host) => ({ host, ...relays[link].address });
  const cfgOf = (h) => ({
    host: h,
    pki,
    dataDir: data[h],
    listen: { address: addr[h], port: port[h] },
    volume: 'v',
    archives: { 'ar-1': viaRelay('px-1>ar-1', 'ar-1'), 'ar-2': viaRelay('px-1>ar-2', 'ar-2') },
  });
  const procs = {};
  for (const h of ['ar-1', 'ar-2', 'px-1']) procs[h] = await startChild(h === 'px-1' ? 'proxy' : 'archive', cfgOf(h));

  const store = join(dir, 'storage');
  mkdirSync(store, { recursive: true });
  writeFileSync(join(store, 'acked'), '0');
  const image = Buffer.alloc(SIZE);
  const shaAt = new Map([[0, sha1(image)]]);
  let lsid = 0;
  let gid = 0;
  let batches = 0;
  let prevExplicit = false;
  const counts = { trials: 0, injected: 0, checks: 0, failures: [], byFault: {}, relay: {}, restarts: 0, batches: 0 };
  const faults = ['kill-storage', 'kill-proxy', 'kill-archive', 'cut', 'stall', 'flip', 'none', ...(real ? ['kill-wdev'] : [])];
  counts.storage = real ? 'wdev' : `prepared batches${args.includes('--synthetic') ? '' : ` (no wdev here: ${wdevSkipReason(root)})`}`;

  for (let t = 0; t < trials; t++) {
    counts.trials++;
    // 1..3 new batches of random writes; every 5th ends at an explicit snapshot. A real wdev: 1..2
    // rounds of fsync'd writes, each ending at a snapshot (the loop cuts implicit gids in between).
    for (let n = real ? r.int(1, 2) : 0; n > 0; n--) {
      gid = await real.write(r, image, r.int(2, 12), r.next() < 0.2);
      shaAt.set(gid, sha1(image));
    }
    for (let n = real ? 0 : r.int(1, 3); n > 0; n--) {
      const ios = [];
      for (let i = r.int(2, 12); i > 0; i--) {
        const blocks = 8 * r.int(1, 32);
        const address = 8 * r.int(0, (SIZE / 512 - blocks) / 8);
        const buf = Buffer.alloc(blocks * 512);
        for (let k = 0; k < buf.length; k += 4) buf.writeUInt32LE(r.int(0, 0xffffffff), k); // incompressible: the wire carries it all
        buf.copy(image, address * 512);
        ios.push({ kind: 'write', address, blocks, data: buf });
      }
      const explicit = r.next() < 0.2;
      const wlog = join(store, `batch-${batches}.wlog`);
      const { endLsid } = await writeWlog(wlog, { pbs: 4096, salt, uuid, beginLsid: lsid }, ios);
      const meta = {
        volume: 'v',
        device: { uuid: uuid.toString('hex'), pbs: 4096, salt, sizeBytes: SIZE },
        lsid: { b: lsid, e: endLsid },
        diff: { b: { b: gid, e: gid }, e: { b: gid + 1, e: gid + 1 }, mergeable: !prevExplicit, compared: false, timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
        explicitEnd: explicit,
        wlogBytes: statSync(wlog).size,
      };
      writeFileSync(join(store, `batch-${batches}.json`), JSON.stringify(meta));
      lsid = endLsid;
      gid += 1;
      prevExplicit = explicit;
      batches++;
      shaAt.set(gid, sha1(image));
    }
    if (!real) counts.batches = batches;
    const fault = r.pick(faults);
    if (args.includes('--verbose')) process.stderr.write(`trial ${t}: ${fault}, ${batches} batches\n`);
    counts.byFault[fault] = (counts.byFault[fault] ?? 0) + 1;
    if (fault === 'cut' || fault === 'stall' || fault === 'flip') {
      const link = r.pick(Object.keys(plan));
      const up = r.next() < 0.7; // downstream carries little more than the TLS handshake and acknowledgements
      plan[link] = { kind: fault, atByte: up ? r.int(0, 60_000) : r.int(0, 2500), direction: up ? 'up' : 'down' };
      if (args.includes('--verbose')) process.stderr.write(`  ${link}: ${JSON.stringify(plan[link])}\n`);
    }
    const storageCfg = { pki, dir: store, batches, proxy: viaRelay('db-1>px-1', 'px-1'), ...(real ? { wdevDataDir: real.dataDir } : {}) };
    let storage = startChild('storage', storageCfg);
    if (fault.startsWith('kill-')) {
      await sleep(r.int(0, 400));
      const who = fault === 'kill-storage' ? 'storage' : fault === 'kill-wdev' ? 'wdev' : fault === 'kill-proxy' ? 'px-1' : r.pick(['ar-1', 'ar-2']);
      if (who === 'storage') {
        await kill9(storage);
        storage = startChild('storage', storageCfg);
      } else if (who === 'wdev') {
        await real.killAndServe();
      } else {
        await kill9(procs[who]);
        procs[who] = await startChild(who === 'px-1' ? 'proxy' : 'archive', cfgOf(who));
      }
      counts.restarts++;
    }
    // Converge: the storage has every batch acknowledged, the proxy's queues are empty.
    const deadline = Date.now() + 60_000;
    // Bounded: a storage that never gets its batches through is killed after 120 s and counted as a failure.
    const code = await new Promise((res) => {
      if (storage.exitCode !== null) return res(storage.exitCode);
      const timer = setTimeout(() => {
        storage.kill('SIGKILL');
        res('killed after 120 s without acknowledging every batch');
      }, 120_000);
      storage.once('exit', (c) => {
        clearTimeout(timer);
        res(c);
      });
    });
    const problem = (m) => counts.failures.push(`trial ${t} (${fault}, seed ${seed}): ${m}`);
    if (code !== 0) {
      problem(`storage exited ${code}: ${storage.errText().slice(0, 300)}`);
      break;
    }
    if (real) {
      // The loop may have cut an implicit gid after the snapshot (nothing was written after it).
      const { readCapture } = await import(dist('native/lib/wdev/capture-state.js'));
      const latest = (await readCapture(join(real.dataDir, 'wdev', 'v', 'capture.json'), 'v')).latestGid;
      for (; gid < latest; ) shaAt.set(++gid, sha1(image));
      counts.batches = gid;
    }
    let drained = false;
    while (Date.now() < deadline) {
      const v = (await proxyLib.observeProxy(data['px-1'], 1 << 30)).volumes[0];
      if (v && v.queues.every((q) => q.diffs === 0) && v.queues.every((q) => !q.halted)) {
        drained = true;
        break;
      }
      await sleep(50);
    }
    if (!drained) {
      problem(`the proxy's queues did not drain in 60 s: ${JSON.stringify((await proxyLib.observeProxy(data['px-1'], 1 << 30)).volumes[0]?.queues)}`);
      break;
    }
    // No temporary file of a killed process is left where recovery owns the files: the archives'
    // volume folders (their recovery runs before the next operation, and diffs were installed since),
    // the proxy's volume (recovered at its start) and the wdev's folder (the shipping loop's start).
    const { pidAlive } = await import(dist('native/lib/archive/lock.js'));
    // Parsed here rather than by the code's own tempOwner, so a name the code stops recognising is caught.
    const tempOwner = (name) => {
      const m = /^\.tmp-.*\.(\d+)\.[0-9a-z]+$/.exec(name);
      return m ? Number(m[1]) : null;
    };
    for (const where of [join(data['ar-1'], 'archive', 'v'), join(data['ar-2'], 'archive', 'v'), join(data['px-1'], 'proxy', 'v'), ...(real ? [join(real.dataDir, 'wdev', 'v')] : [])]) {
      for (const f of await readdir(where, { recursive: true }).catch(() => [])) {
        const pid = tempOwner(f.split('/').pop());
        if (pid !== null && !pidAlive(pid)) problem(`${join(where, f)}: a temporary file of process ${pid}, which is dead, is still there`);
      }
    }
    for (const a of ['ar-1', 'ar-2']) {
      counts.checks++;
      const gids = (await restorable(data[a], 'v')).map((x) => x.gid);
      if (gids[gids.length - 1] !== gid) problem(`${a}: newest restorable gid ${gids[gids.length - 1]}, expected ${gid}`);
      const diffs = await listDiffFiles(archivePaths(data[a], 'v'));
      const seen = new Set(diffs.map((d) => `${d.b.b}-${d.e.b}`));
      if (seen.size !== diffs.length) problem(`${a}: a diff is there twice`);
      if (t % 10 === 9 || t === trials - 1 || fault === 'kill-wdev') {
        for (const d of diffs) await verifyFile(join(archivePaths(data[a], 'v').dir, d.file)).catch((e) => problem(`${a}: ${d.file}: ${e.message}`));
        const out = join(dir, `${a}.img`);
        rmSync(out, { force: true });
        await restore(data[a], 'v', gid, { path: out, mode: 'copy' });
        const got = sha1(readFileSync(out));
        if (got !== shaAt.get(gid)) problem(`${a}: gid ${gid} restores to ${got}, the device had ${shaAt.get(gid)}`);
        // Deleting the restore record keeps the next restore of a newer gid simple.
        const { deleteRestored } = await import(dist('native/lib/archive/restore.js'));
        await deleteRestored(data[a], 'v', gid, { path: out }).catch(() => {});
        rmSync(out, { force: true });
      }
    }
    if (args.includes('--verbose')) process.stderr.write(`  relays: ${JSON.stringify(Object.fromEntries(Object.entries(relays).map(([k, v]) => [k, v.counts])))}\n`);
    if (counts.failures.length) break;
  }
  for (const [k, rl] of Object.entries(relays)) counts.relay[k] = rl.counts;
  // Injected: every kill, and every relay fault that actually hit a byte of a stream.
  counts.injected = counts.restarts + Object.values(relays).reduce((n, rl) => n + rl.counts.cut + rl.counts.stall + rl.counts.flip, 0);
  for (const p of Object.values(procs)) await kill9(p);
  for (const rl of Object.values(relays)) await rl.close();
  if (real) {
    await real.stop();
    rmSync(real.dataDir, { recursive: true, force: true });
  }
  const spoolLeft = existsSync(join(data['px-1'], 'proxy', 'v', 'master')) ? (await readdir(join(data['px-1'], 'proxy', 'v', 'master'))).length : 0;
  if (spoolLeft) counts.failures.push(`${spoolLeft} files left in the proxy's master/`);
  rmSync(dir, { recursive: true, force: true });
  const summary = { seed, ...counts, failed: counts.failures.length };
  if (json) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    console.log(`ship-faults (storage: ${counts.storage}, seed ${seed}): ${counts.trials} trials, ${counts.injected} faults injected (${Object.entries(counts.byFault).map(([k, v]) => `${k} ${v}`).join(', ')}), ${counts.restarts} processes killed and restarted`);
    console.log(`  ${counts.batches} ${real ? 'gids shipped' : 'batches'}, ${counts.checks} archive checks; relays: ${JSON.stringify(counts.relay)}`);
    console.log(`  failures: ${counts.failures.length}${counts.failures.length ? '\n  ' + counts.failures.join('\n  ') : ''}`);
  }
  process.exit(counts.failures.length ? 1 : 0);
}

const role = arg('role');
if (role) await childMain(role);
else await main();
