import { snapshot } from '../../../../native/lib/storage/index.js';
import { defineCommand } from '../../command.js';
import { hostHelp } from '../archive/_common.js';
import { runSendDiff } from './_send-diff.js';

export default defineCommand({
  summary: "take a snapshot: hash the volume, send the changed bulks as a wdiff",
  help: `Usage: walbctl vol snapshot VOL [--archive-data-dir DIR] [--implicit] [--compress TYPE] [--json]

Takes snapshot gid+1 in scan capture: hashes the volume in bulks, compares with the hash index of
the previous snapshot and sends the bulks that changed to the archive as a sorted wdiff
|prev|-->|gid|. Needs state Target. Running it again after a crash first finishes the interrupted
snapshot.

Options:
  --archive-data-dir DIR   the data directory of the archive (default: this host's)
  --implicit               an implicit snapshot (merges may remove it); explicit by default
  --compress TYPE          none, lz4 (default), zstd, snappy, gzip, lzma
${hostHelp}`,
  run: (args, io) => runSendDiff(args, io, { command: 'snapshot', send: snapshot }),
});
