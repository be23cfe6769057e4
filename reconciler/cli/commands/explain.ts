/**
 * `walbctl explain [DIR] HOST[/VOLUME] [KEY.PATH]`: the merged values of a host or a volume, each
 * with the file:line:col that set it and the templates it came through.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { UsageError } from '../../../common/errors.js';
import { formatDiagnostic, formatRef } from '../../desired/diagnostic.js';
import { explainRows, type ExplainRow } from '../../desired/explain.js';
import { parsePath } from '../../desired/locate.js';
import { resolveTree } from '../../desired/resolve.js';
import { treeDir } from '../../desired/tree-dir.js';
import { parse } from '../args.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  summary: 'show merged config values and where each was set (file:line:col, templates)',
  help: `Usage: walbctl explain [DIR] HOST[/VOLUME] [KEY.PATH] [--json]

Prints the merged values of host HOST, or of its volume VOLUME, in the desired-state tree at DIR
(default: the current directory; a first argument is DIR when it is a directory holding hosts/).
Each value comes with the FILE:LINE:COL that set it and, for a value inherited from a template,
"via" the extends entries it came through, nearest first. KEY.PATH (e.g. retention.grid or
replication[0].to) narrows the output to that key. Keys nobody set that have a default are listed
last, marked "(default)" (docs/config.md lists them; walbctl show desired prints every value).

Examples:
  walbctl explain local/demo
  walbctl explain examples/valid/three-level-templates db-1/pg retention

Options:
  --json   print {"address", "rows": [{path, value, setIn: {file, line, col} or null for a
           default, via: [...]}], "diagnostics": [...]}

Exit status: 0 on success; 1 when the host, volume or key does not exist, or the tree has
problems (they are printed after the values, which are still shown when the host could be read).`,
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, { command: 'explain', minPositionals: 1, maxPositionals: 3 });
    const words = [...positionals];
    const first = treeDir(words[0], io.cwd);
    const dir = words.length === 3 || (words.length === 2 && existsSync(join(first, 'hosts'))) ? treeDir(words.shift(), io.cwd) : io.cwd;
    const [address, keyText] = words;
    const m = /^([^/]+)(?:\/([^/]+))?$/.exec(address);
    if (!m) throw new UsageError(`explain: "${address}" is not HOST or HOST/VOLUME (see "walbctl explain --help")`, 'explain');
    const [, hostName, volume] = m;
    const { fleet, diagnostics } = resolveTree(dir);
    const host = fleet.hosts.get(hostName);
    if (!host) {
      io.stderr(`walbctl: error: explain: no host "${hostName}" in ${dir} (no hosts/${hostName}.yaml)\n`);
      return 1;
    }
    const key = keyText === undefined ? [] : parsePath(keyText);
    const rows = explainRows(fleet.treeOf(host), volume ?? null, key);
    if (!rows) {
      io.stderr(`walbctl: error: explain: ${address}${keyText ? ` has no ${keyText}` : ' does not exist'} (hosts/${hostName}.yaml after templates)\n`);
      return 1;
    }
    if (values.json) {
      io.stdout(JSON.stringify({ address, rows, diagnostics }) + '\n');
    } else {
      io.stdout(renderRows(address, rows));
      if (diagnostics.length > 0) io.stderr(`\nthe tree has ${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}:\n${diagnostics.map(formatDiagnostic).join('\n')}\n`);
    }
    return diagnostics.length > 0 ? 1 : 0;
  },
});

function renderRows(address: string, rows: ExplainRow[]): string {
  const shown = rows.map((r) => ({ path: r.path, value: show(r.value), where: r.setIn ? [formatRef(r.setIn), ...r.via.map((v) => `via ${formatRef(v)}`)].join(', ') : '(default)' }));
  const pathWidth = Math.max(4, ...shown.map((r) => r.path.length));
  const valueWidth = Math.min(40, Math.max(5, ...shown.map((r) => r.value.length)));
  const lines = shown.map((r) => `  ${r.path.padEnd(pathWidth)}  ${r.value.padEnd(valueWidth)}  ${r.where}`);
  return `${address}\n${lines.join('\n')}\n`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return /^[\w./:@+-]+(?: [\w./:@+|()=-]+)*$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
