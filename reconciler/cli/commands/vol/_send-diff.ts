/**
 * The shared body of `vol snapshot` and `vol hash-backup`: both scan the volume, send a wdiff to the
 * archive and report the same result, differing only in what they compare against.
 */
import { resolve } from 'node:path';

import type { hashBackup, snapshot } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import type { CliIO } from '../../command.js';
import { dataDirFrom, hostOptions, printJson, progress, summary } from '../archive/_common.js';

type SendDiff = typeof snapshot | typeof hashBackup;

export async function runSendDiff(args: string[], io: CliIO, options: { command: 'snapshot' | 'hash-backup'; send: SendDiff }): Promise<number> {
  const { command, send } = options;
  const { values, positionals } = parse(
    args,
    { ...hostOptions, 'archive-data-dir': { type: 'string' }, implicit: { type: 'boolean' }, compress: { type: 'string' } },
    { command: `vol ${command}`, minPositionals: 1, maxPositionals: 1 },
  );
  const vol = positionals[0]!;
  const p = progress(io, `${command} ${vol}`);
  try {
    const r = await send(dataDirFrom(values, io), vol, {
      explicit: !values.implicit,
      ...(values['archive-data-dir'] ? { archiveDataDir: resolve(io.cwd, values['archive-data-dir']) } : {}),
      ...(values.compress ? { compression: values.compress } : {}),
      ...(p.onProgress ? { onProgress: p.onProgress } : {}),
    });
    p.end();
    if (values.json) printJson(io, r);
    else {
      if (r.finished) io.stdout(`${vol}: finished the interrupted ${r.finished}\n`);
      io.stdout(`${vol}: gid ${r.gid} (${r.file}), ${r.changedBytes} bytes changed, diff ${r.diffBytes} bytes: ${summary(r.bytesScanned, r.seconds)}\n`);
    }
    return 0;
  } finally {
    p.end();
  }
}
