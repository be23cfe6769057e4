/**
 * A replicating archive as its own process, so a fault campaign can kill -9 the sender:
 * `node repl-peer.js '{"host","peer","tls"?,"insecure"?,"channel"?,"dataDir","volume","rate"?,"checkpointBytes"?,"pipeline"?}'`
 * prints {"sending":true} once data goes out, then the result as JSON (with its CPU seconds and peak RSS) and exits 0 (or the error, exit 1).
 */
import { WireClient, type WirePeer } from '../../wire/client.js';
import type { ChannelOptions } from '../../wire/frame/channel.js';
import { TokenBucket } from '../../wire/stream/token-bucket.js';
import type { TlsPaths } from '../../wire/tls/material.js';
import { replicateArchive } from '../replicate.js';

interface Args {
  host: string;
  peer: WirePeer;
  tls?: TlsPaths;
  insecure?: boolean;
  channel?: ChannelOptions;
  dataDir: string;
  volume: string;
  rate?: number;
  checkpointBytes?: number;
  pipeline?: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as Args;
  const client = new WireClient({ host: a.host, ...(a.insecure ? { insecure: true } : { tls: a.tls! }), ...(a.channel ? { channel: a.channel } : {}) });
  let said = false;
  try {
    const r = await replicateArchive({
      client, peer: a.peer, dataDir: a.dataDir, volume: a.volume,
      ...(a.checkpointBytes ? { checkpointBytes: a.checkpointBytes } : {}),
      ...(a.pipeline ? { pipeline: a.pipeline } : {}),
      ...(a.rate ? { limits: [new TokenBucket(a.rate, 128 << 10)] } : {}),
      onProgress: () => {
        if (!said) process.stdout.write(`${JSON.stringify({ sending: true })}\n`);
        said = true;
      },
    });
    const u = process.resourceUsage();
    process.stdout.write(`${JSON.stringify({ ...r, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssKiB: u.maxRSS, minorFaults: u.minorPageFault })}\n`);
    process.exit(0);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
    process.exit(1);
  }
}

void main();
