/**
 * A wdev's status: lsids (oldest, written, permanent, latest), log usage and capacity in physical
 * blocks, overflow, whether it is served and attached. From the serving process when there is one,
 * else from the ldev's super sector.
 */
import { runWdev } from './binary.js';
import { readWdevConfig } from './config.js';
import type { WdevStatusJson } from './control.js';
import { attachedLoop } from './attach.js';
import { wdevPaths } from './paths.js';
import { isServing } from './serve.js';

export interface WdevStatus extends WdevStatusJson {
  volume: string;
  file: string;
  /** The loop device and its stable link, when attached. */
  attached: { device: string; link: string } | null;
  /** usagePb / capacityPb, 0..1. */
  usage: number;
}

export async function wdevStatus(dataDir: string, vol: string): Promise<WdevStatus> {
  const p = wdevPaths(dataDir, vol);
  await readWdevConfig(p.config);
  const live = await isServing(p);
  const st = live ?? (await runWdev<WdevStatusJson>(['status', '--ldev', p.ldev], { vol }));
  const device = await attachedLoop(p).catch(() => null);
  return {
    volume: vol,
    file: p.file,
    ...st,
    attached: device ? { device, link: p.dev } : null,
    usage: st.capacityPb > 0 ? st.usagePb / st.capacityPb : 0,
  };
}

const OVERFLOW_REASONS: Record<string, string> = {
  'ring-full': 'the log ring filled up before it was shipped',
  'log-write-failed': 'a log write failed, so the log has a hole',
  'host-restarted': 'the host restarted while the volume was served; the data device may hold writes the log lost',
  'log-repaired': 'the log was repaired and no longer covers every write',
  'log-reformatted': 'the log device was formatted after capture had started',
};

/** Human text, one field per line. */
export function formatStatus(s: WdevStatus): string {
  const pct = (s.usage * 100).toFixed(1);
  const mib = (pb: number) => ((pb * s.physicalBs) / 2 ** 20).toFixed(1);
  return [
    `volume:      ${s.volume} (uuid ${s.uuid})`,
    `served:      ${s.serving ? `yes, ${s.file}` : 'no'}`,
    `attached:    ${s.attached ? `${s.attached.link} -> ${s.attached.device}` : 'no'}`,
    `size:        ${s.sizeBytes} bytes, physical block ${s.physicalBs}`,
    `lsids:       oldest ${s.oldestLsid}, written ${s.writtenLsid}, permanent ${s.permanentLsid}, latest ${s.latestLsid}`,
    `log usage:   ${s.usagePb} of ${s.capacityPb} blocks (${mib(s.usagePb)} of ${mib(s.capacityPb)} MiB, ${pct}%)`,
    `overflow:    ${s.overflow ? `yes${OVERFLOW_REASONS[s.overflowReason ?? ''] ? ` (${OVERFLOW_REASONS[s.overflowReason ?? '']})` : ''}: a hash backup is needed ("walbctl wdev backup ${s.volume}", or the one the reconciler plans)` : 'no'}`,
  ].join('\n') + '\n';
}
