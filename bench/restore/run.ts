/**
 * npm run bench:restore — what a replacement host's restore costs: the image of a gid 10 diffs past
 * the base of a 512 MiB volume (25 % random data, 1 % changed per diff), restored
 *   (a) locally on the archive host (`archive restore --path`, sparse copy + diffs applied), and
 *   (b) over the wire from an archive process to this process (`archive restore --from`: the same
 *       build on the archive host, then the stream over loopback TLS 1.3, the digest checked, and
 *       the image renamed onto a new file here),
 * alternating in the same run, sha1-checked. Wall time, CPU seconds (user+sys) of each end and the
 * 1-minute load average beside every figure: on a shared machine CPU seconds are the steadier figure.
 * BENCH_VOLUME (bytes), BENCH_DIR, BENCH_RESTORE_ROUNDS (alternating pairs, default 2).
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { deleteRestored, restore } from '../../native/lib/archive/restore.js';
import { initArchiveVolume } from '../../native/lib/archive/lifecycle.js';
import { fullBackup } from '../../native/lib/storage/backup.js';
import { initVolume } from '../../native/lib/storage/lifecycle.js';
import { snapshot } from '../../native/lib/storage/snapshot.js';
import { WireClient } from '../../native/lib/wire/client.js';
import { initCa, issueHost } from '../../native/lib/wire/pki/openssl.js';
import { spawnPeer } from '../../native/lib/wire/testing/spawn-peer.js';
import { fetchRestore } from '../../native/lib/wire/transfers/restore.js';

const size = Number(process.env.BENCH_VOLUME ?? 2 ** 29);
const rounds = Number(process.env.BENCH_RESTORE_ROUNDS ?? 2);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'walbctl-bench-restore-'));
const MiB = 2 ** 20;
const address = '127.0.0.12';
const vol = 'bench';
const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function sha1File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha1');
    createReadStream(path, { highWaterMark: 4 * MiB })
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

function writeRandom(path: string, fraction: number): void {
  const fd = openSync(path, 'r+');
  const slots = size / MiB;
  for (let i = 0; i < Math.max(1, Math.round(slots * fraction)); i++) writeSync(fd, randomBytes(MiB), 0, MiB, Math.floor(Math.random() * slots) * MiB);
  closeSync(fd);
}

/** CPU seconds (user+sys) a process has used, from /proc. */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / ticks;
}

const self = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  const archiveDir = join(dir, 'ar-1');
  const device = join(dir, 'vol.img');
  closeSync(openSync(device, 'w'));
  spawnSync('truncate', ['-s', String(size), device]);
  await initVolume(archiveDir, vol, { devicePath: device, sizeBytes: size });
  await initArchiveVolume(archiveDir, vol);
  writeRandom(device, 0.25);
  await fullBackup(archiveDir, vol);
  let gid = 0;
  for (let i = 0; i < 10; i++) {
    writeRandom(device, 0.01);
    ({ gid } = await snapshot(archiveDir, vol));
  }
  const want = await sha1File(device);
  const pki = join(dir, 'pki');
  await initCa(pki);
  for (const h of ['ar-1', 'db-1']) await issueHost(pki, h);
  const tls = (h: string) => ({ ca: join(pki, 'ca.crt'), cert: join(pki, `${h}.crt`), key: join(pki, `${h}.key`) });
  const server = spawnPeer({ role: 'serve', host: 'ar-1', address, dataDir: archiveDir, tls: tls('ar-1') });
  const { port } = (await server.first) as { port: number };
  const client = new WireClient({ host: 'db-1', tls: tls('db-1') });
  const here = join(dir, 'db-1');
  mkdirSync(here, { recursive: true });
  console.log(`bench:restore — ${size / MiB} MiB volume, gid ${gid} (10 diffs past the base), ${new Date().toISOString()}`);
  console.log('run    wall s   MB/s   CPU s here   CPU s archive   load(1m)');
  try {
    for (let round = 1; round <= rounds; round++) {
      const local = join(archiveDir, 'local.img');
      let t0 = process.hrtime.bigint();
      let c0 = self();
      await restore(archiveDir, vol, gid, { path: local, mode: 'copy' });
      let secs = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`local  ${secs.toFixed(2).padStart(6)}  ${(size / 1e6 / secs).toFixed(0).padStart(5)}   ${(self() - c0).toFixed(2).padStart(10)}   ${'(same)'.padStart(13)}   ${loadavg()[0]!.toFixed(1)}`);
      if (round === 1 && (await sha1File(local)) !== want) throw new Error('the local restore differs from the source');
      await deleteRestored(archiveDir, vol, gid, { path: local });
      const target = join(here, 'remote.img');
      t0 = process.hrtime.bigint();
      c0 = self();
      const s0 = cpuOf(server.child.pid!);
      await fetchRestore(client, { host: 'ar-1', address, port }, { volume: vol, gid, dataDir: here, target });
      secs = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`wire   ${secs.toFixed(2).padStart(6)}  ${(size / 1e6 / secs).toFixed(0).padStart(5)}   ${(self() - c0).toFixed(2).padStart(10)}   ${(cpuOf(server.child.pid!) - s0).toFixed(2).padStart(13)}   ${loadavg()[0]!.toFixed(1)}`);
      if (round === 1 && (await sha1File(target)) !== want) throw new Error('the restore over the wire differs from the source');
      rmSync(target, { force: true });
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
