/**
 * Helpers for the shipping e2e: a served wdev over an all-zero data device with capture started at
 * its current lsid, archives holding that zero image as gid 0 (what a full backup of the zero device
 * leaves), and a sampler of the recovery point — how far behind the writes the archives are.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { initArchiveVolume } from '../../native/lib/archive/lifecycle.js';
import { receiveFullBackup } from '../../native/lib/archive/receive.js';
import { proxyPaths } from '../../native/lib/proxy/layout.js';
import { readProxyState } from '../../native/lib/proxy/state.js';
import { writeCapture } from '../../native/lib/wdev/capture-state.js';
import { createWdev, serveWdev, wdevPaths, wdevStatus } from '../../native/lib/wdev/index.js';
import { syncLog } from '../../native/lib/wdev/log-position.js';

/** Creates and serves a wdev whose data device is a zero file beside it; capture starts now at gid 0. */
export async function startZeroWdev(dataDir: string, vol: string, size: number, ringBytes = 512 << 20): Promise<{ uuid: string; ddev: string }> {
  const ddev = join(dataDir, `${vol}.img`);
  execFileSync('mkdir', ['-p', dataDir]);
  execFileSync('truncate', ['-s', String(size), ddev]);
  const cfg = await createWdev(dataDir, vol, { sizeBytes: size, ringBytes, ddev });
  await serveWdev(dataDir, vol);
  const p = wdevPaths(dataDir, vol);
  const st = await syncLog(p, vol);
  await writeCapture(p.capture, { formatVersion: 1, archiveDataDir: 'wire:ar-1', shipped: { snap: { b: 0, e: 0 }, lsid: st.permanentLsid, explicit: true }, queue: [], latestGid: 0, lastExplicitAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
  return { uuid: cfg.uuid, ddev };
}

/** An archive of `vol` whose base is the all-zero image at gid 0. */
export async function zeroBase(dataDir: string, vol: string, uuid: string, size: number): Promise<void> {
  await initArchiveVolume(dataDir, vol);
  await receiveFullBackup(dataDir, vol, {
    deviceUuid: uuid, sizeBytes: size, snap: { b: 0, e: 0 }, timestamp: new Date().toISOString(), id: 'zero',
    produce: async (tmp) => {
      await writeFile(tmp, '');
      execFileSync('truncate', ['-s', String(size), tmp]);
    },
  });
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}

/**
 * Every 250 ms: the storage's permanent lsid (when it was written) and the lsid every archive
 * acknowledged to the proxy. The recovery point at a sample is now minus the moment of the newest
 * sample whose writes all archives hold (0 when they hold everything written).
 */
export class RecoveryPointSampler {
  private written: { at: number; lsid: number }[] = [];
  readonly points: number[] = [];
  /** What db-1's daemon said at the same moments (its /status: shipping.recoveryPointSeconds). */
  readonly reported: number[] = [];
  statusUrl: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private readonly dataDir: string, private readonly vol: string, private readonly proxyDataDir: string, private readonly archives: string[]) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = Date.now();
      if (this.statusUrl) {
        const r = await fetch(this.statusUrl).then((x) => x.json() as Promise<{ volumes: Record<string, { shipping?: { recoveryPointSeconds: number | null } }> }>).catch(() => null);
        const rp = r?.volumes[this.vol]?.shipping?.recoveryPointSeconds;
        if (typeof rp === 'number') this.reported.push(rp);
      }
      const lsid = (await wdevStatus(this.dataDir, this.vol)).permanentLsid;
      this.written.push({ at: now, lsid });
      const s = await readProxyState(proxyPaths(this.proxyDataDir, this.vol));
      const archived = Math.min(...this.archives.map((a) => s?.archives[a]?.forwarded?.lsid ?? 0));
      if (archived >= lsid) {
        this.points.push(0);
        return;
      }
      // The oldest sample with writes the archives lack: the recovery point is its age.
      const lacking = this.written.find((w) => w.lsid > archived);
      this.points.push(lacking ? (now - lacking.at) / 1000 : 0);
    } catch {
      // a sample during a restart of a process: skipped
    } finally {
      this.busy = false;
    }
  }

  summary(xs = this.points): { samples: number; p50: number; p99: number; max: number } {
    return { samples: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: Math.max(0, ...xs) };
  }
}
