/**
 * What the reconciler observes of a wdev volume's storage role (common/observed.ts):
 * capture `wdev`, the lsids and log usage, overflow (then a hash backup is due), the newest gid.
 */
import type { ObservedStorage } from '../../../common/observed.js';
import { readCaptureOrNull, settledView } from './capture-state.js';
import { readWdevConfig } from './config.js';
import { wdevPaths } from './paths.js';
import { wdevStatus } from './status.js';
import { readShipping, shippingView } from './shipping-state.js';

export async function observeWdevStorage(dataDir: string, vol: string): Promise<ObservedStorage> {
  const p = wdevPaths(dataDir, vol);
  const cfg = await readWdevConfig(p.config);
  const st = await wdevStatus(dataDir, vol);
  const read = await readCaptureOrNull(p.capture);
  const cap = read && settledView(read, st.oldestLsid);
  const shipping = cap ? await readShipping(p) : null;
  return {
    state: cap ? (st.serving ? 'Target' : 'Stopped') : 'SyncReady',
    capture: 'wdev',
    uuid: cfg.uuid,
    devicePath: st.attached ? st.attached.link : p.file,
    sizeBytes: cfg.sizeBytes,
    overflow: st.overflow,
    overflowReason: st.overflowReason ?? null,
    latestGid: cap ? cap.latestGid : null,
    ...(cap?.lastExplicitAt ? { lastSnapshotAt: cap.lastExplicitAt } : {}),
    ...(cap && shipping ? { shipping: shippingView(shipping, cap, st.permanentLsid, Date.now()) } : {}),
    log: { oldestLsid: st.oldestLsid, permanentLsid: st.permanentLsid, writtenLsid: st.writtenLsid, capacityPb: st.capacityPb, usagePb: st.usagePb },
  };
}
