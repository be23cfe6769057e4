/**
 * `walbctl diff --from REV --to REV [DIR]`: what a commit changes in the desired state, per host and
 * volume, with destructive changes called out. Each revision is read with `git archive` into a temp
 * directory and loaded and validated like any tree.
 */
import { resolve } from 'node:path';

import { UsageError } from '../../../common/errors.js';
import type { DesiredState } from '../../model/desired.js';
import { countDiff, diffDesired } from '../../plan/desired-diff.js';
import { DesiredStateInvalid, loadDesiredTree } from '../../plan/io/desired.js';
import { materialiseRevision } from '../../plan/io/git-tree.js';
import { renderDiffText } from '../../render/diff-text.js';
import { parse } from '../args.js';
import { defineCommand } from '../command.js';

const help = `Usage: walbctl diff --from REV --to REV [DIR] [--json] [--detailed-exitcode]

Shows what changes in the desired state between two git revisions of the tree at DIR (default: the
current directory): hosts and volumes added, removed or changed, each changed field before → after,
and the changes that destroy data or lift a safeguard marked "! destructive" (a removed volume or
archive, protect removed, retention changed, a shorter apply age, a removed restore, a moved device).
Both revisions must validate. The working copy is not touched (git archive into a temp directory).

Options:
  --from REV           the older revision (a commit, branch or tag, e.g. HEAD~1 or origin/main)
  --to REV             the newer revision (e.g. HEAD)
  --json               print {format_version, from, to, hosts[], summary} instead of text
  --detailed-exitcode  exit 0 when nothing changed, 2 when something did, 1 on error (as Terraform;
                       Flux's and Argo CD's diff exit 1 on a difference)

Exit status: 0 success, 2 changes (--detailed-exitcode only), 1 error (a revision that does not
exist or does not validate).`;

export default defineCommand({
  summary: 'show what a commit changes in the desired state, per host and volume',
  help,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
      'detailed-exitcode': { type: 'boolean' },
    }, { command: 'diff', maxPositionals: 1 });
    if (!values.from || !values.to) throw new UsageError('diff: --from REV and --to REV are both required (see "walbctl diff --help")');
    const dir = resolve(io.cwd, positionals[0] ?? '.');
    const from = await load(dir, values.from);
    const to = await load(dir, values.to);
    const diff = diffDesired(from.state, to.state);
    if (values.json) {
      io.stdout(JSON.stringify({ format_version: '1.0', from: from.revision, to: to.revision, hosts: diff.hosts, summary: countDiff(diff) }, null, 2) + '\n');
    } else {
      io.stdout(renderDiffText(diff, { from: from.revision, to: to.revision }));
    }
    return values['detailed-exitcode'] && diff.hosts.length > 0 ? 2 : 0;
  },
});

async function load(dir: string, rev: string): Promise<{ state: DesiredState; revision: string }> {
  const tree = materialiseRevision(dir, rev);
  try {
    const state = await loadDesiredTree(tree.dir);
    return { state: rebase(state, tree.dir, dir), revision: tree.revision };
  } catch (error) {
    if (error instanceof DesiredStateInvalid) throw new DesiredStateInvalid(`${dir} at ${tree.revision}`, error.lines.map((l) => l.split(tree.dir).join(dir)));
    throw error;
  } finally {
    tree.remove();
  }
}

/** Paths the loader resolved under the temp copy, as they would be in the checkout at `dir`. */
function rebase<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return (value === from || value.startsWith(from + '/') ? to + value.slice(from.length) : value) as T;
  if (Array.isArray(value)) return value.map((v) => rebase(v, from, to)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebase(v, from, to)])) as T;
  }
  return value;
}
