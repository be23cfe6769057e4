import { fullBackup } from '../../../../native/lib/storage/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { dataDirFrom, hostHelp, hostOptions, printJson, progress, summary } from '../archive/_common.js';
import { resolve } from 'node:path';

export default defineCommand({
  summary: "stream the whole volume into the archive's base (SyncReady → Target)",
  help: `Usage: walbctl vol full-backup VOL [--archive-data-dir DIR | --to HOST] [--json]

Reads the volume in bulks and writes it as the archive's base image, a sparse file: all-zero bulks
and holes cost nothing. The base is the dirty snapshot |g,g+1|; the storage keeps the hash index of
what it sent, and snapshots follow. The archive volume must be initialised (walbctl archive init).
Running it again after a crash finishes or redoes the interrupted backup.

With --to HOST the archive is on another host of the tree in the current directory (--host names
this storage host): the volume is scanned into this host's outbox, then sent over the wire with
mutual TLS, resumable, the progress shown on a terminal; the archive there must be initialised (its
daemon does that). A send that was cut resumes where the archive says it stands.

Options:
  --archive-data-dir DIR   the data directory of the archive (default: this host's)
  --to HOST                the archive is HOST of the tree: send it there over the wire
${hostHelp}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...hostOptions, 'archive-data-dir': { type: 'string' }, to: { type: 'string' } }, { command: 'vol full-backup', minPositionals: 1, maxPositionals: 1 });
    const vol = positionals[0]!;
    const p = progress(io, `full-backup ${vol}`);
    try {
      if (values.to) {
        // Loaded only here: the tree, TLS and wire modules cost a local backup ~0.3 s of start-up.
        const { fullBackupTo } = await import('./_remote.js');
        const r = await fullBackupTo(io.cwd, values.host, vol, values.to, p.onProgress);
        p.end();
        if (values.json) printJson(io, r);
        else io.stdout(`${vol}: base |${r.backup.snap.b},${r.backup.snap.e}| on ${values.to}: ${r.ship.base === 'already' ? 'it had it already' : `sent ${r.ship.wireBytes} bytes on the wire${r.ship.resumedFrom ? `, resumed at ${r.ship.resumedFrom}` : ''}`}\n`);
        return 0;
      }
      const r = await fullBackup(dataDirFrom(values, io), vol, {
        ...(values['archive-data-dir'] ? { archiveDataDir: resolve(io.cwd, values['archive-data-dir']) } : {}),
        ...(p.onProgress ? { onProgress: p.onProgress } : {}),
      });
      p.end();
      if (values.json) printJson(io, r);
      else {
        if (r.finished) io.stdout(`${vol}: finished the interrupted ${r.finished}\n`);
        io.stdout(`${vol}: base |${r.snap.b},${r.snap.e}|, ${r.dataBytes} bytes of data: ${summary(r.bytesScanned, r.seconds)}\n`);
      }
      return 0;
    } finally {
      p.end();
    }
  },
});
