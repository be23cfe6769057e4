/**
 * `walbctl validate [DIR]`: checks a desired-state tree (each file, the merged hosts, the fleet's
 * references) and prints every problem, one line each, or a one-line summary when all is well.
 */
import { checkTree } from '../../desired/check-tree.js';
import { formatDiagnostic } from '../../desired/diagnostic.js';
import { treeDir } from '../../desired/tree-dir.js';
import { parse } from '../args.js';
import { defineCommand } from '../command.js';


export default defineCommand({
  summary: 'check a desired-state tree (hosts/, templates/) and print every problem',
  help: `Usage: walbctl validate [DIR] [--json]

Checks the desired-state tree at DIR (default: the current directory): every file of hosts/ and
templates/ on its own against schema/, each host after its templates are merged in, and the fleet
as a whole (referenced hosts exist and have the right role, names are safe as file names, one
storage host per volume, no replication cycle, retention keeps something, the apply point lies
beyond what retention keeps restorable, no device shared by two volumes of one host).

Each problem is one line, FILE:LINE:COL: error: KEY.PATH: MESSAGE, followed for a value that
came from a template by "  (set in FILE:LINE:COL, via FILE:LINE:COL, …)": where the template set
it and the extends entries it came through. All problems are listed, then a count.

Options:
  --json   print {"valid": bool, "diagnostics": [{file, line, col, path, message, setIn, via}],
           "hosts": N, "volumes": N}

Exit status: 0 when the tree is valid, 1 when it has problems or cannot be read.`,
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, { command: 'validate', maxPositionals: 1 });
    const dir = treeDir(positionals[0], io.cwd);
    const { diagnostics, hosts, volumes } = await checkTree(dir);
    const valid = diagnostics.length === 0;
    if (values.json) {
      io.stdout(JSON.stringify({ valid, diagnostics, hosts: valid ? hosts : 0, volumes: valid ? volumes : 0 }) + '\n');
    } else if (valid) {
      io.stdout(`valid: ${hosts} host${hosts === 1 ? '' : 's'}, ${volumes} volume${volumes === 1 ? '' : 's'}\n`);
    } else {
      const lines = diagnostics.map(formatDiagnostic);
      io.stdout(`${lines.join('\n')}\n${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}\n`);
    }
    return valid ? 0 : 1;
  },
});
