#!/usr/bin/env node
// One host of a log-shipping fleet, for scripts/ship-faults.mjs and bench:ship: a wire server on a
// loopback address serving the archive role, or the proxy role (the log-batch kind, the spool
// replayed at start) with a loop forwarding every queue of `volume` to its archives.
//   node scripts/ship-host.mjs --role proxy|archive --config '{"host","pki","dataDir","listen",
//        "volume","archives":{"ar-1":{host,address,port}},"channel":{...}}'
// Prints one JSON line {"ready": {address, port}, "pid"} once it listens. Needs `npm run build`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(root, 'dist', p);
const args = process.argv.slice(2);
const arg = (name) => args[args.indexOf(`--${name}`) + 1];
const role = arg('role');
const cfg = JSON.parse(arg('config'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// SIGTERM exits through process.exit, so a host run with --cpu-prof writes its profile.
process.once('SIGTERM', () => process.exit(143));

const w = await import(dist('native/lib/wire/index.js'));
const tls = (h) => ({ ca: join(cfg.pki, 'ca.crt'), cert: join(cfg.pki, `${h}.crt`), key: join(cfg.pki, `${h}.key`) });
if (role === 'proxy') {
  await import(dist('native/lib/proxy/log-batch.js'));
  const { recoverSpool } = await import(dist('native/lib/proxy/recover.js'));
  await recoverSpool(cfg.dataDir);
}
const server = await w.startWireServer({ host: cfg.host, listen: cfg.listen, dataDir: cfg.dataDir, tls: tls(cfg.host), authorize: () => true, ...(cfg.channel ? { channel: cfg.channel } : {}) });
process.stdout.write(JSON.stringify({ ready: server.address, pid: process.pid }) + '\n');
if (role === 'proxy') {
  const { forwardOnce } = await import(dist('native/lib/proxy/forward.js'));
  const client = new w.WireClient({ host: cfg.host, tls: tls(cfg.host), connectTimeoutMs: 2000, ...(cfg.channel ? { channel: cfg.channel } : {}) });
  const send = async (r) => {
    await w.sendDiff(client, cfg.archives[r.archive], { volume: r.volume, uuid: r.uuid, file: r.file, diff: r.diff, explicitEnd: r.explicitEnd, checkpointBytes: 1 << 20 });
  };
  for (;;) {
    let busy = false;
    for (const a of Object.keys(cfg.archives)) {
      const r = await forwardOnce(cfg.dataDir, cfg.volume, a, send).catch((e) => ({ kind: 'error', reason: e.message }));
      if (r.kind === 'sent') busy = true;
    }
    if (!busy) await sleep(cfg.idleMs ?? 30);
  }
}
