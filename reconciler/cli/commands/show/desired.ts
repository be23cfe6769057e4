/**
 * `walbctl show desired [DIR] [--host H]`: the normalised DesiredState the planner and the daemon
 * work from — units in seconds and bytes, paths absolute, defaults filled in.
 */
import { formatDiagnostic } from '../../../desired/diagnostic.js';
import { loadDesiredState } from '../../../desired/load.js';
import { treeDir } from '../../../desired/tree-dir.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';

export default defineCommand({
  summary: 'print the normalised desired state of a tree (or of one host)',
  help: `Usage: walbctl show desired [DIR] [--host H] [--json]

Loads and checks the desired-state tree at DIR (default: the current directory) and prints the
normalised DesiredState: durations in seconds, sizes in bytes, paths absolute, schedules and
retention grids parsed, defaults filled in. This is exactly what the planner and the daemon use.

Options:
  --host H   only host H and every host of the volumes it takes part in (storage, proxy, archive or
             replication end)
  --json     print the DesiredState as JSON (what "walbctl plan --desired FILE" reads)

Exit status: 0 on success; 1 when the tree has problems (printed to stderr, as walbctl validate).`,
  async run(args, io) {
    const { values, positionals } = parse(args, { host: { type: 'string' }, json: { type: 'boolean' } }, { command: 'show desired', maxPositionals: 1 });
    const { state, diagnostics } = await loadDesiredState(treeDir(positionals[0], io.cwd), values.host === undefined ? {} : { host: values.host });
    if (!state) {
      io.stderr(`${diagnostics.map(formatDiagnostic).join('\n')}\n${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}\n`);
      return 1;
    }
    if (values.json) io.stdout(JSON.stringify(state) + '\n');
    else io.stdout((await import('yaml')).stringify(state, { lineWidth: 0 }));
    return 0;
  },
});
