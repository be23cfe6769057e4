/**
 * The proxy role's data path (design.md): a spool of converted log batches, one queue per archive.
 */
export { admitBatch, type Admission, type BatchMeta } from './admit.js';
export { addArchive, clearVolume, removeArchive, resumeArchive, startVolume, stopVolume, type ArchiveSetting, type RemoveResult } from './archives.js';
export { SpoolReject, type SpoolRejectCode } from './errors.js';
export { forwardOnce, type ForwardOptions, type ForwardOutcome, type SendRequest, type Sender } from './forward.js';
export { parseSpoolName, proxyPaths, spoolName, type ProxyPaths, type SpooledDiff } from './layout.js';
export { observeProxy, type ProxyQueueView, type ProxyView, type ProxyVolumeView } from './observe.js';
export { listQueue, type QueuedDiff } from './queue.js';
export { admitIncoming, storeBatch, type SpoolOptions, type StoreResult } from './receive.js';
export { recoverSpool, recoverVolume, type RecoverReport } from './recover.js';
export { pickRun, WALB_RUN_LIMITS, type Run, type RunLimits } from './run.js';
export { readProxyState, type ArchiveLink, type DeviceIdentity, type ProxyVolumeState } from './state.js';
export { spoolUsage, type SpoolUsage } from './usage.js';
export { DEFAULT_SPOOL_LIMIT, readSpoolConfig, writeSpoolConfig } from './config.js';
export { sendLogBatch, type LogBatchParams, type SendLogBatchOptions } from './log-batch.js';
export { applyProxyTree, type ProxiedVolume, type TreeChange } from './tree.js';
export { Forwarder, type ForwarderOptions, type QueueWorkerState } from './forwarder.js';
