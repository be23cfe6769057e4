/**
 * `walbctl apply`: makes a host match the repository now — or applies exactly a saved plan — under
 * the host lock, journalled so a crash is rolled forward by the next run.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { applyHost } from '../../apply/apply-host.js';
import type { ActionReport, ApplyReport } from '../../apply/executor.js';
import { loadHostContext } from '../../apply/host-context.js';
import { InputError, UsageError } from '../../../common/errors.js';
import type { ChangeKind, Plan, PlanAction } from '../../model/plan.js';
import { parseSavedPlan } from '../../plan/saved-plan.js';
import { parse } from '../args.js';
import { defineCommand } from '../command.js';

const help = `Usage: walbctl apply [DIR] --host H [PLAN.json] [--allow-destroy] [--json]

Makes host H match the repository at DIR (default: the current directory): observes the host, plans
and runs the plan's actions in dependency order. With PLAN.json (saved by "walbctl plan --out"), runs
exactly that plan, and refuses it as stale when the repository revision or the host's live state
changed since it was made. The file is checked against the plan walbctl makes again from the same
revision and live state: an edited action, parameter, dependency, "destructive", "refused" or
"blocked" refuses it ("Saved plan was edited"), naming each field and action.

The host is locked while apply runs (the lock names its ID, operation, who, pid and since; see
"walbctl unlock"). Every step is journalled in the host's data directory: when a run crashes, the next
apply (or the daemon) first finishes that plan. Destructive actions run only with --allow-destroy and
never on a volume marked "protect: true"; whether an action destroys data is decided from its kind,
not read from a file. Files are deleted or overwritten only when walbctl made them (its inventory in
the data directory); an image restored by hand is left alone. Blocked actions (they need something not there yet, such
as the transport between hosts), refused ones, and those waiting for either are reported as such,
and the run is then "incomplete", never "ok".

Options:
  --host H          the host to apply (required)
  --allow-destroy   allow destructive actions (clear a volume, delete a restored image)
  --json            print the report as JSON (host, revision, result, actions[], counts);
                    result is ok, failed, incomplete or interrupted

Exit status:
  0  every action is done ("result": "ok"), or there was nothing to do
  1  error before anything ran (bad arguments, the host lock is held, a stale or errored plan)
  2  an action failed, or the run was interrupted ("failed", "interrupted")
  3  nothing failed, but actions were blocked, refused or waiting for those ("incomplete")`;

const GLYPH: Record<ChangeKind, string> = { create: '+', update: '~', delete: '-', data: '>' };

export default defineCommand({
  summary: 'apply the plan for a host (or a saved plan), under the host lock',
  help,
  async run(args, io) {
    const { values, positionals } = parse(args, { host: { type: 'string' }, 'allow-destroy': { type: 'boolean' }, json: { type: 'boolean' } }, { command: 'apply', maxPositionals: 2 });
    if (!values.host) throw new UsageError('apply: --host H is required (see "walbctl apply --help")');
    let dir = io.cwd;
    let planFile: string | undefined;
    for (const p of positionals) {
      const path = resolve(io.cwd, p);
      const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
      if (isDir) dir = path;
      else if (planFile === undefined) planFile = path;
      else throw new UsageError(`apply: two plan files given ("${planFile}", "${path}")`);
    }
    const saved = planFile ? parseSavedPlan(await readFile(planFile, 'utf8').catch((e: NodeJS.ErrnoException) => { throw new InputError(`cannot read the plan: ${e.code ?? e.message}`, planFile); }), planFile) : undefined;
    const context = await loadHostContext(dir, values.host);
    const json = values.json === true;
    const glyphs = new Map<string, string>();
    const report = await applyHost(context, {
      saved,
      allowDestroy: values['allow-destroy'] === true,
      onCreatedDataDir: (path) => io.stderr(`created the data directory ${path} (the host's first init)\n`),
      onResumed: (r) => {
        if (!json) io.stdout(`Finished a plan an earlier run left unfinished (run ${r.runId}): ${counts(r)}\n`);
      },
      onPlan: (plan: Plan) => {
        for (const a of plan.actions) glyphs.set(a.id, GLYPH[a.change]);
        if (json) return;
        io.stdout(plan.actions.length === 0 ? `No changes. ${plan.host} matches the repository.\n` : `Applying ${plan.actions.length} action(s) to ${plan.host} (${plan.revision ?? 'no revision'}):\n`);
      },
      events: json
        ? undefined
        : {
            actionStart: (a: PlanAction) => {
              if (io.isTTY) io.stderr(`  ${GLYPH[a.change]} ${a.address} ${label(a)}…\n`);
            },
            actionEnd: (a: PlanAction, r: ActionReport) => io.stdout(line(glyphs.get(a.id) ?? GLYPH[a.change], label(a), r)),
          },
    });
    if (json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    else if (report.actions.length > 0) io.stdout(`Apply ${HEADLINE[report.result]}: ${counts(report)}\n`);
    if (!json && report.counts.refused > 0 && !values['allow-destroy']) io.stdout('Destructive actions were refused: review them with "walbctl plan", then rerun with --allow-destroy.\n');
    return EXIT[report.result];
  },
});

/** The exit status of each result (documented in --help and docs/apply.md). */
const EXIT: Record<ApplyReport['result'], number> = { ok: 0, failed: 2, interrupted: 2, incomplete: 3 };

const HEADLINE: Record<ApplyReport['result'], string> = {
  ok: 'complete',
  failed: 'failed',
  interrupted: 'interrupted',
  incomplete: 'incomplete: the plan could not be carried out whole',
};

/** `init (storage)`, `snapshot`: the kind, and the role for kinds both roles have. */
function label(a: PlanAction): string {
  return typeof a.params.role === 'string' ? `${a.kind} (${a.params.role})` : a.kind;
}

function line(glyph: string, what: string, r: ActionReport): string {
  const took = r.ms === null ? '' : ` (${(r.ms / 1000).toFixed(1)} s)`;
  const result = r.status === 'done' ? `done${took}` : `${r.status}${took}: ${r.message ?? ''}`;
  return `  ${glyph} ${r.address} ${what}: ${result}\n`;
}

function counts(r: ApplyReport): string {
  const c = r.counts;
  return `${c.done} done, ${c.failed} failed, ${c.blocked} blocked, ${c.refused} refused, ${c.skipped} skipped${c['not-run'] ? `, ${c['not-run']} not run` : ''}.`;
}
