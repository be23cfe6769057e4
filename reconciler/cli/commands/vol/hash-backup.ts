import { hashBackup } from '../../../../native/lib/storage/index.js';
import { defineCommand } from '../../command.js';
import { hostHelp } from '../archive/_common.js';
import { runSendDiff } from './_send-diff.js';

export default defineCommand({
  summary: "compare the volume with the archive's newest image and send the difference",
  help: `Usage: walbctl vol hash-backup VOL [--archive-data-dir DIR] [--implicit] [--compress TYPE] [--json]

Hashes the archive's newest image bulk by bulk, scans the volume against those hashes and sends
the bulks that differ as a compared diff (it is never merged). The way back after the hash index
was lost. Allowed in SyncReady, Stopped and Target; leaves the volume in Target.

Options:
  --archive-data-dir DIR   the data directory of the archive (default: this host's)
  --implicit               the snapshot at the end is implicit (explicit by default)
  --compress TYPE          none, lz4 (default), zstd, snappy, gzip, lzma
${hostHelp}`,
  run: (args, io) => runSendDiff(args, io, { command: 'hash-backup', send: hashBackup }),
});
