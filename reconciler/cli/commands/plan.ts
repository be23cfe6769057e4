/**
 * `walbctl plan`: the desired state against the live (or fixture) state of one host, or of every host
 * from fixtures for CI, shown in Terraform's manner or as JSON, optionally saved for `walbctl apply`.
 */
import { resolve } from 'node:path';

import { UsageError } from '../../../common/errors.js';
import type { DesiredState } from '../../model/desired.js';
import type { ObservedState } from '../../../common/observed.js';
import type { Plan } from '../../model/plan.js';
import { computePlan, planHostVolumes } from '../../plan/compute.js';
import { readDesiredJson } from '../../plan/io/desired-json.js';
import { LazyObservedDeclined, lazyObservedState } from '../../plan/io/lazy-observed.js';
import { listObservedDir, observeLive, readObservedFile, readObservedText, resolveFixturePaths } from '../../plan/io/observed.js';
import { emptyObservedState, parseObservedState } from '../../plan/observed-json.js';
import type { VolumeSource } from '../../plan/volume-source.js';
import { countActions, emptySummary, hasChanges, isWhole, summarize } from '../../plan/summary.js';
import { Chunks } from '../../render/chunks.js';
import { PLAN_JSON_FORMAT_VERSION, renderPlanJson, writePlanJson } from '../../render/plan-json.js';
import { PlanTextWriter, writePlanText } from '../../render/plan-text.js';
import { atomicWriteFile } from '../../../common/atomic-write.js';
import { parse } from '../args.js';
import { defineCommand, type CliIO } from '../command.js';

const help = `Usage: walbctl plan [DIR] --host H [--observed FILE] [--json] [--out FILE] [--detailed-exitcode]
       walbctl plan [DIR] --all-hosts --observed-dir DIR2 [--json] [--detailed-exitcode]

Computes what walbctl would do to make a host match the repository at DIR (default: the current
directory) and prints it: drift first (live state that changed outside walbctl), then one block per
volume with a line per action and its reason, then the summary line
"Plan: N to create, N to change, N to destroy, N data actions." or "No changes. H matches the repository."

Symbols: + create, ~ change in place, - destroy, > data-path action (backup, snapshot, merge, apply,
verify, replicate). Destructive actions are marked; on a protected volume they are refused.
Replication is planned but blocked until the transport between hosts exists.
On a host with driver: walb, each action shows the walbc command apply runs against WalB's server
(walbc="full-bkp VOL", "archive-info add VOL ARCHIVE HOST:PORT", "start VOL", ...).

Options:
  --host H             plan this host (required unless --all-hosts)
  --observed FILE      live state from a file (walbctl show observed --json); default: observe the host
  --all-hosts          plan every host of the repository, from fixtures (for CI)
  --observed-dir DIR2  with --all-hosts: <host>.json per host; a host without a file is planned as empty
                       (relative paths in fixtures are taken from the tree's root)
  --desired FILE       the desired state as JSON (walbctl show desired --json) instead of the tree at DIR
  --now TIME           plan as if it were this UTC time (ISO 8601); default: the observed state's
                       observedAt for fixture files (so a fixture plans the same on every CI run),
                       the clock for a live host
  --json               print the plan as JSON (format_version ${PLAN_JSON_FORMAT_VERSION}, resource_changes[])
  --out FILE           also save the plan (JSON) for "walbctl apply FILE", which refuses it once stale
  --detailed-exitcode  exit 0 when there are no changes, 2 when there are, 3 when some of them cannot
                       run, 1 on error (Terraform's codes, and 3)

Actions that cannot run — blocked (they need something not there yet), refused (destructive on a
protected volume), or waiting for one of those — are not counted as changes: the summary counts them
apart and says the plan cannot be carried out whole; the JSON says "whole": false.

Exit status: 0 success (or no changes with --detailed-exitcode), 2 changes that can all run
(--detailed-exitcode only), 3 changes of which some cannot run (--detailed-exitcode only), 1 error
(bad input, or a plan with errors).`;

export default defineCommand({
  summary: 'show what walbctl would change on a host (Terraform-style plan)',
  help,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      host: { type: 'string' },
      observed: { type: 'string' },
      'all-hosts': { type: 'boolean' },
      'observed-dir': { type: 'string' },
      desired: { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      'detailed-exitcode': { type: 'boolean' },
    }, { command: 'plan', maxPositionals: 1 });
    const all = values['all-hosts'] === true;
    if (all && values.host) throw new UsageError('plan: --host and --all-hosts exclude each other');
    if (!all && !values.host) throw new UsageError('plan: --host H is required (or --all-hosts with --observed-dir)');
    if (all && !values['observed-dir']) throw new UsageError('plan: --all-hosts needs --observed-dir DIR2 (one <host>.json per host)');
    if (all && values.observed) throw new UsageError('plan: --observed is for one host; with --all-hosts use --observed-dir');
    if (all && values.out) throw new UsageError('plan: --out saves one host\'s plan; use --host H');
    if (!all && values['observed-dir']) throw new UsageError('plan: --observed-dir goes with --all-hosts');
    if (values.desired && positionals.length > 0) throw new UsageError('plan: give either DIR or --desired FILE, not both');
    const now = parseNow(values.now);
    const dir = resolve(io.cwd, positionals[0] ?? '.');
    const desired = values.desired
      ? await readDesiredJson(resolve(io.cwd, values.desired))
      : await (await import('../../plan/io/desired.js')).loadDesiredTree(dir, all ? {} : { host: values.host! });

    // The observed-state digest is only needed where the plan is saved or printed as JSON.
    const digest = { digest: values.json === true || values.out !== undefined };
    const plans: Plan[] = [];
    if (all) {
      const files = await listObservedDir(resolve(io.cwd, values['observed-dir']!));
      const hosts = [...new Set([...Object.keys(desired.hosts), ...files.keys()])].sort();
      for (const host of hosts) {
        const file = files.get(host);
        if (!file) io.stderr(`walbctl: warning: no observed state for host ${host} (${host}.json): planned as a host with nothing on it\n`);
        const observed = file ? resolveFixturePaths(await readObservedFile(file), desired.root) : emptyObservedState(host, (now ?? new Date()).toISOString());
        checkHost(observed, host, file);
        plans.push(computePlan(desired, observed, now ?? new Date(observed.observedAt), digest).plan);
      }
    } else {
      const host = values.host!;
      const detailed = values['detailed-exitcode'] === true;
      const textOnly = !values.json && !values.out;
      let observed: ObservedState;
      if (values.observed) {
        const file = resolve(io.cwd, values.observed);
        const source = readObservedText(file);
        if (textOnly && desired.hosts[host]) {
          // A text plan takes the fixture's volumes one at a time (io/lazy-observed.ts); a file that
          // way of reading declines is read the ordinary way below, which names its first bad field.
          try {
            const lazy = lazyObservedState(source, file, desired.root);
            if (lazy.observed.host === host) return streamText(io, desired, lazy.observed, now ?? new Date(lazy.observed.observedAt), detailed, lazy.source);
          } catch (error) {
            if (!(error instanceof LazyObservedDeclined)) throw error;
          }
        }
        observed = resolveFixturePaths(parseObservedState(source, file), desired.root);
        checkHost(observed, host, values.observed);
      } else {
        const declared = desired.hosts[host];
        if (!declared) throw new UsageError(`plan: host ${host} is not declared in the repository (no hosts/${host}.yaml)`);
        observed = await observeLive(declared, desired);
      }
      const at = now ?? (values.observed ? new Date(observed.observedAt) : new Date());
      if (textOnly) return streamText(io, desired, observed, at, detailed);
      plans.push(computePlan(desired, observed, at, digest).plan);
    }

    if (values.out) await atomicWriteFile(resolve(io.cwd, values.out), renderPlanJson(plans[0]!));
    print(io, plans, values.json === true, all);
    if (plans.some((p) => !p.applyable)) return 1;
    if (!values['detailed-exitcode'] || !plans.some(hasChanges)) return 0;
    return plans.every((p) => isWhole(summarize(p))) ? 2 : 3;
  },
});

/**
 * One host's plan as text, each volume printed as soon as it is planned (planHostVolumes): the
 * same text as writePlanText(computePlan(…)), without holding every action of a large host.
 */
function streamText(io: CliIO, desired: DesiredState, observed: ObservedState, now: Date, detailed: boolean, source?: VolumeSource): number {
  const out = new Chunks(io.stdout);
  const text = new PlanTextWriter(out.write);
  let actions = 0;
  const counts = emptySummary();
  const { head, tail } = planHostVolumes(desired, observed, now, { digest: false }, {
    volume: (list) => {
      actions += list.length;
      if (detailed) countActions(counts, list);
      text.volume(list);
    },
  }, source);
  text.finish({ ...head, ...tail });
  out.end();
  if (!tail.applyable) return 1;
  if (!detailed || actions === 0) return 0;
  return isWhole(counts) ? 2 : 3;
}

/** `--now`, or undefined: then a fixture is planned at its own observedAt and a live host at the clock. */
function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(t)) throw new UsageError(`--now: expected a UTC ISO 8601 time, got "${value}"`);
  return new Date(t);
}

function checkHost(observed: ObservedState, host: string, file: string | undefined): void {
  if (observed.host !== host) throw new UsageError(`plan: ${file ?? 'the observed state'} is of host ${observed.host}, not ${host}`);
}

/** Writes the plan(s) to stdout in chunks (a 10,000-volume plan is tens of megabytes of JSON). */
function print(io: CliIO, plans: Plan[], json: boolean, all: boolean): void {
  const out = new Chunks(io.stdout);
  const write = out.write;
  if (json && all) {
    write(`{"format_version":${JSON.stringify(PLAN_JSON_FORMAT_VERSION)},"hosts":[`);
    plans.forEach((plan, i) => {
      if (i > 0) write(',');
      writePlanJson(plan, write);
    });
    write(']}\n');
  } else if (json) {
    writePlanJson(plans[0]!, write);
    write('\n');
  } else {
    plans.forEach((plan, i) => {
      if (i > 0) write('\n');
      writePlanText(plan, write);
    });
  }
  out.end();
}
