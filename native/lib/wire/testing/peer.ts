/**
 * One wire host as its own process, for fault tests and scripts/wire-faults.mjs (kill -9 needs a
 * process per side). `node peer.js '<json>'`:
 *   {"role":"serve","host","address","dataDir","tls"?,"insecure"?,"channel"?}  prints {"port"} and serves
 *   {"role":"send-full","host","peer","tls"?,"insecure"?,"channel"?,"send":{…SendFullBackupOptions},"rate"?}
 *     prints {"sending":true} when the first data went out, then the SendResult as JSON and exits 0,
 *     or the error and exits 1.
 *   {"role":"storage","op":"full-backup"|"hash-backup","host","peer","dataDir","volume","rate"?,"checkpointBytes"?} runs the
 *     storage's operation against the remote archive; prints {result, links, maxRssKiB}.
 * Every result line carries the process's peak RSS (maxRssKiB) and CPU time (cpuSeconds, user+sys).
 */
import { startWireServer } from '../server.js';
import { WireClient, type WirePeer } from '../client.js';
import type { ChannelOptions } from '../frame/channel.js';
import type { TlsPaths } from '../tls/material.js';
import type { WireCodec } from '../protocol/messages.js';
import { sendFullBackup, type SendFullBackupOptions } from '../transfers/full-backup.js';
import { TokenBucket } from '../stream/token-bucket.js';
import { remoteArchive } from '../remote-archive.js';
import { fullBackup, hashBackup } from '../../storage/backup.js';

interface PeerArgs {
  role: 'serve' | 'send-full' | 'storage';
  op?: 'full-backup' | 'hash-backup';
  volume?: string;
  host: string;
  address?: string;
  dataDir?: string;
  tls?: TlsPaths;
  insecure?: boolean;
  channel?: ChannelOptions;
  peer?: WirePeer;
  send?: SendFullBackupOptions;
  /** Bytes per second for the sender (to make a transfer last long enough to be killed). */
  rate?: number;
  codecs?: WireCodec[];
  /** Bytes per checkpoint of the storage's transfers. */
  checkpointBytes?: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as PeerArgs;
  const sec = a.insecure ? { insecure: true } : { tls: a.tls! };
  if (a.role === 'serve') {
    const server = await startWireServer({ host: a.host, listen: { address: a.address!, port: 0 }, dataDir: a.dataDir!, ...sec, authorize: () => true, ...(a.channel ? { channel: a.channel } : {}) });
    process.stdout.write(`${JSON.stringify({ port: server.address.port })}\n`);
    process.on('SIGTERM', () => process.exit(0));
    return;
  }
  const client = new WireClient({ host: a.host, ...sec, ...(a.channel ? { channel: a.channel } : {}), ...(a.codecs ? { codecs: a.codecs } : {}) });
  const maxRssKiB = (): number => process.resourceUsage().maxRSS;
  const cpuSeconds = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  if (a.role === 'storage') {
    const archive = remoteArchive({ client, peer: a.peer!, dataDir: a.dataDir!, ...(a.rate ? { limits: [new TokenBucket(a.rate)] } : {}), ...(a.checkpointBytes ? { checkpointBytes: a.checkpointBytes } : {}) });
    const run = a.op === 'hash-backup' ? hashBackup : fullBackup;
    const result = await run(a.dataDir!, a.volume!, { archive });
    process.stdout.write(`${JSON.stringify({ result, links: client.metrics.snapshot(), maxRssKiB: maxRssKiB(), cpuSeconds: cpuSeconds() })}\n`);
    process.exit(0);
  }
  try {
    let said = false;
    const onProgress = (): void => {
      if (!said) process.stdout.write(`${JSON.stringify({ sending: true })}\n`);
      said = true;
    };
    const r = await sendFullBackup(client, a.peer!, { ...a.send!, onProgress, ...(a.rate ? { limits: [new TokenBucket(a.rate, 256 << 10)] } : {}) });
    process.stdout.write(`${JSON.stringify({ ...r, links: client.metrics.snapshot(), maxRssKiB: maxRssKiB(), cpuSeconds: cpuSeconds() })}\n`);
    process.exit(0);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
    process.exit(1);
  }
}

void main();
