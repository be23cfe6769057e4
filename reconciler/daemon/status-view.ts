/** The status as served: the stored status plus ages computed at the time of the request. */
import type { DaemonStatus, VolumeStatus } from './status-model.js';

export type VolumeStatusView = VolumeStatus & { lastSnapshot: (VolumeStatus['lastSnapshot'] & { ageSeconds: number }) | null };
export type DaemonStatusView = Omit<DaemonStatus, 'volumes'> & { now: string; volumes: Record<string, VolumeStatusView> };

export function withAges(status: DaemonStatus, now: number): DaemonStatusView {
  const volumes: Record<string, VolumeStatusView> = {};
  for (const [name, v] of Object.entries(status.volumes)) {
    volumes[name] = { ...v, lastSnapshot: v.lastSnapshot ? { ...v.lastSnapshot, ageSeconds: Math.max(0, Math.round((now - Date.parse(v.lastSnapshot.at)) / 1000)) } : null };
  }
  return { ...status, now: new Date(now).toISOString(), volumes };
}
