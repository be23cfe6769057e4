/**
 * The wire's public API (README.md beside this file): a server that serves transfer kinds to
 * authenticated peers, a client, the status call, the transfers, the reject policy table, link
 * metrics, the token bucket, and the PKI helpers.
 */
export { WireServer, startWireServer, type WireServerOptions, type Authorize } from './server.js';
export { WireClient, type WireClientOptions, type WirePeer } from './client.js';
export { WireMetrics, type LinkCounters } from './metrics.js';
export { FrameError, LinkError, ProtocolError, type PeerRef } from './errors.js';
export { REJECT_POLICY, REJECT_CODES, WireReject, isRejectCode, type RejectCode, type RejectPolicy } from './protocol/rejects.js';
export { registerKind, findKind, kindNames, type TransferKind, type ServeContext } from './protocol/kinds.js';
export { WireSession } from './protocol/session.js';
export type { WireRequest, Hello } from './protocol/messages.js';
export { PROTOCOL_VERSION, MIN_PROTOCOL_VERSION } from './protocol/messages.js';
export type { Logger } from './protocol/log.js';
export type { TransferProgress } from './protocol/transfers-board.js';
export { wireStatus, type WireStatus } from './transfers/status.js';
export { sendFullBackup, type SendFullBackupOptions, type FullBackupParams } from './transfers/full-backup.js';
export { sendDiff, type SendDiffOptions, type DiffParams } from './transfers/diff.js';
export { sendFile, type SendResult, type SendFileOptions } from './transfers/send-file.js';
export { sendStream, type SendStreamOptions, type SendStreamResult } from './stream/send.js';
export { receiveStream, type ReceiveStreamOptions } from './stream/receive.js';
export { partialDir, listPartials, type PartialSummary } from './stream/partial.js';
export { TokenBucket } from './stream/token-bucket.js';
export { TlsMaterial, type TlsPaths } from './tls/material.js';
export { initCa, issueHost, caFiles, hostFiles, type CaFiles, type HostFiles } from './pki/openssl.js';
export { withRetries, backsOff, type RetryOptions } from './transfers/retry.js';
export { startRelay, type Relay, type RelayFault, type RelayCounts, type RelayOptions } from './testing/relay.js';
export { remoteArchive, type RemoteArchiveOptions } from './remote-archive.js';
export { fetchHashIndex, type HashIndexParams } from './transfers/hash-index.js';
export { fetchRestore, type FetchRestoreOptions, type FetchRestoreResult, type RestoreParams } from './transfers/restore.js';
