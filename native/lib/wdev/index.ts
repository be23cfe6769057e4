/**
 * The wdev's public API (docs/wdev.md): create, format, serve, attach, detach, status, stop, repair,
 * and the storage role with wdev capture (backup, snapshot, ship) plus what the reconciler observes.
 */
export { createWdev, formatWdev, type CreateOptions } from './create.js';
export { serveWdev, checkPrerequisites, isServing, type ServeOptions, type ServeResult } from './serve.js';
export { attachWdev, detachWdev, attachedLoop, type AttachResult } from './attach.js';
export { wdevStatus, formatStatus, type WdevStatus } from './status.js';
export { stopWdev } from './stop.js';
export { repairWdev, type RepairResult } from './repair.js';
export { backupWdev, baseWdevFor, snapshotWdev, shipWdev, type BackupResult, type SnapshotResult, type SnapshotOptions, type CaptureOptions } from './capture.js';
export { observeWdevStorage } from './observe.js';
export { wdevPaths, type WdevPaths } from './paths.js';
export { WdevCorruptError, WdevError, WdevOverflowError, WdevUnavailableError } from './errors.js';
export { shipLogBatch, WALB_MAX_BATCH_BYTES, type BatchSender, type ShippedBatch, type ShipLogOptions } from './ship-log.js';
export { ProxyFailover, type ProxyPeer, type ProxyHealth, type FailoverOptions } from './proxy-failover.js';
export { Shipper, type ShipperOptions, type ShipperState } from './shipper.js';
