import { initVolume } from '../../../../native/lib/storage/index.js';
import { UsageError } from '../../../../common/errors.js';
import { parseSize } from '../../../util/size.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson } from '../archive/_common.js';
import { resolve } from 'node:path';

function size(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseSize(value);
  } catch (error) {
    throw new UsageError(`vol init: --${flag}: ${(error as Error).message}`);
  }
}

export default defineCommand({
  summary: 'initialise a storage volume for scan capture (Clear → SyncReady)',
  help: `Usage: walbctl vol init VOL --device PATH [--size SIZE] [--bulk-size SIZE] [--json]

Records the volume (an image file or a block device) and makes its uuid, which every wdiff of the
volume carries. A missing image file is created, sparse, when --size is given. Capture is "scan":
each snapshot hashes the volume in bulks and sends the bulks that changed.

Options:
  --device PATH      the image file or block device
  --size SIZE        the volume's size (e.g. 64MiB); the device's size by default
  --bulk-size SIZE   bytes per hashed bulk (default 64KiB; a multiple of 512, at most 1MiB)
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...hostOptions, device: { type: 'string' }, size: { type: 'string' }, 'bulk-size': { type: 'string' } }, { command: 'vol init', minPositionals: 1, maxPositionals: 1 });
    if (!values.device) throw new UsageError('vol init: --device PATH is required (see "walbctl vol init --help")');
    const sizeBytes = size(values.size, 'size');
    const bulkSize = size(values['bulk-size'], 'bulk-size');
    const meta = await initVolume(dataDirFrom(values, io), positionals[0]!, {
      devicePath: resolve(io.cwd, values.device),
      ...(sizeBytes !== undefined ? { sizeBytes } : {}),
      ...(bulkSize !== undefined ? { bulkSize } : {}),
    });
    if (values.json) printJson(io, meta);
    else io.stdout(`${meta.volume}: SyncReady (uuid ${meta.uuid}, ${meta.sizeBytes} bytes, ${meta.devicePath})\n`);
    return 0;
  },
});
