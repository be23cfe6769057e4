/** What normalisation fills in for keys nobody set. docs/config.md lists the same values. */
export const DEFAULTS = {
  driver: 'native',
  daemonInterval: '60s',
  daemonListen: '127.0.0.1:9469',
  wlogSize: '128MiB',
  proxyPort: 9470,
  archivePort: 9471,
  spoolLimit: '4GiB',
  capture: 'wdev',
  mergeInterval: '1h',
  mergeMaxNr: 10,
  mergeMaxSize: '1GiB',
  mergeThresholdNr: 20,
  replicationMode: 'async',
  compression: 'lz4',
  restorePick: 'newest',
  restoreVerify: true,
} as const;
