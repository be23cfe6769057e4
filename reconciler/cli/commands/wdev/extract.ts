import { resolve } from 'node:path';

import { StateError, UsageError } from '../../../../common/errors.js';
import { atomicProduce } from '../../../../common/atomic-write.js';
import { integerFlag, parse } from '../../args.js';
import { defineCommand } from '../../command.js';
import { extractWlog, syncLog } from '../../../../native/lib/wdev/log-position.js';
import { wdevPaths } from '../../../../native/lib/wdev/paths.js';
import { wdevStatus } from '../../../../native/lib/wdev/status.js';
import { dataDir, dataDirHelp, dataDirOption, printJson } from './_common.js';

export default defineCommand({
  summary: "copy part of a wdev's log into a wlog file (WalB's format)",
  help: `Usage: walbctl wdev extract VOL -o FILE [--from LSID] [--to LSID] [--data-dir DIR] [--json]

Copies the logpacks between two lsids out of the log device into a wlog file, checking every pack
(a corrupt one is named by its byte offset). The log is not freed: this is for inspection
("walbctl wlog show FILE") and for WalB's own tools; snapshots ship the log themselves.

Options:
  -o, --output FILE  the wlog to write (temporary file, fsync, rename)
  --from LSID        first lsid (default: the oldest lsid); must start a logpack
  --to LSID          end lsid (default: the permanent lsid, after flushing the log of a served
                     wdev, so every write it acknowledged is included); must end a logpack
${dataDirHelp}
  --json             print {"packs", "ios", "discards", "bytes", "from", "to"}`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { output: { type: 'string', short: 'o' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, ...dataDirOption },
      { command: 'wdev extract', minPositionals: 1, maxPositionals: 1 },
    );
    if (!values.output) throw new UsageError('wdev extract: -o FILE is required (see "walbctl wdev extract --help")');
    const dir = dataDir(values, io);
    const vol = positionals[0]!;
    const p = wdevPaths(dir, vol);
    // A served wdev's permanent lsid moves only on a flush: an O_DIRECT write it acknowledged is in
    // the log but not yet below it. Flush first (as a snapshot does), so the default range holds
    // every write acknowledged before this command, with no fsync or flushbufs by the operator.
    const known = await wdevStatus(dir, vol);
    const st = known.serving ? await syncLog(p, vol) : known;
    if (st.overflow) throw new StateError(`volume ${vol}: the log overflowed; nothing can be extracted`);
    const from = integerFlag(values.from, 'from', st.oldestLsid);
    const to = integerFlag(values.to, 'to', st.permanentLsid);
    const out = resolve(io.cwd, values.output);
    const r = await atomicProduce(out, (tmp) => extractWlog(p, vol, { from, to }, tmp));
    if (values.json) printJson(io, r);
    else io.stdout(`${out}: lsids ${r.from}..${r.to}, ${r.packs} logpacks, ${r.ios} writes, ${r.discards} discards, ${r.bytes} bytes\n`);
    return 0;
  },
});
