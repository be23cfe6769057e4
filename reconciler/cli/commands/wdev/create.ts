import { resolve } from 'node:path';

import { createWdev } from '../../../../native/lib/wdev/create.js';
import { UsageError } from '../../../../common/errors.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDir, dataDirHelp, dataDirOption, parseSize, printJson } from './_common.js';

export default defineCommand({
  summary: 'create a wdev: a data device (new, or one you have) and a formatted log device',
  help: `Usage: walbctl wdev create VOL --size SIZE [--ring SIZE] [--pbs 512|4096] [--ddev PATH] [--ldev PATH] [--data-dir DIR] [--json]

Creates <data-dir>/wdev/VOL/: an all-zero sparse data device (ddev) of SIZE bytes and a log device
(ldev) whose ring buffer holds RING bytes of WalB logpacks, with a new uuid and checksum salt. With
--ddev, the data device is the disk, partition, LV or image you name, as WalB puts its ddev under a
walb device: its data stays, and the first "walbctl wdev backup" is a full backup of it. With --ldev,
the log goes to that file or device (its contents are overwritten). The
ring's space is allocated now, so a full file system cannot stop the log later; a file system without
room for it is refused, and nothing is left behind. Serve it with "walbctl wdev serve VOL".

Options:
  --size SIZE      volume size (64M, 1G, bytes); a multiple of the physical block size
  --ring SIZE      ring buffer of the log (default: a quarter of the volume, at least 4M)
  --pbs N          physical block size of the log, 512 or 4096 (default 4096)
  --ddev PATH      the data device: a block device or file of at least SIZE bytes (a missing file is made)
  --ldev PATH      the log device: a block device or file, never the data device
${dataDirHelp}
  --json           print the volume's configuration as JSON`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { size: { type: 'string' }, ring: { type: 'string' }, pbs: { type: 'string' }, ddev: { type: 'string' }, ldev: { type: 'string' }, json: { type: 'boolean' }, ...dataDirOption },
      { command: 'wdev create', minPositionals: 1, maxPositionals: 1 },
    );
    if (!values.size) throw new UsageError('wdev create: --size is required (see "walbctl wdev create --help")');
    const pbs = values.pbs === undefined ? 4096 : Number(values.pbs);
    if (pbs !== 512 && pbs !== 4096) throw new UsageError(`--pbs: expected 512 or 4096, got "${values.pbs}"`);
    const c = await createWdev(dataDir(values, io), positionals[0]!, {
      sizeBytes: parseSize(values.size, 'size'),
      ringBytes: values.ring ? parseSize(values.ring, 'ring') : undefined,
      pbs,
      ...(values.ddev ? { ddev: resolve(io.cwd, values.ddev) } : {}),
      ...(values.ldev ? { ldev: resolve(io.cwd, values.ldev) } : {}),
    });
    if (values.json) printJson(io, c);
    else io.stdout(`created wdev ${c.name}: ${c.sizeBytes} bytes, ring ${c.ringBytes} bytes, uuid ${c.uuid}\n`);
    return 0;
  },
});
