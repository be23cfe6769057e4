/**
 * `walbctl check`: a Nagios/Icinga plugin. Observes the host (or reads an observed-state file),
 * compares each volume's recovery point age, replication lag, diff backlog and log ring usage with
 * its thresholds (flags, then the tree's `check:`, then defaults), and prints one status line with
 * perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
import { resolve } from 'node:path';

import { UsageError } from '../../../common/errors.js';
import type { ObservedState } from '../../../common/observed.js';
import { evaluate, type VolumeCheck } from '../../check/evaluate.js';
import { thresholdsFor } from '../../check/thresholds.js';
import { healthValues } from '../../check/values.js';
import { durationSeconds, sizeBytes } from '../../desired/units.js';
import type { CheckThresholds, ThresholdPair } from '../../model/desired.js';
import { volumesOf } from '../../plan/compute.js';
import { readObservedFile, resolveFixturePaths } from '../../plan/io/observed.js';
import { parse } from '../args.js';
import { defineCommand } from '../command.js';

const help = `Usage: walbctl check [DIR] --host H [--volume V] [--observed FILE] [--now TIME] [THRESHOLDS]

A monitoring plugin in the Nagios/Icinga convention. For each volume host H holds (storage or
archive), or only V, it compares with thresholds:
  recovery point age  the newest restorable snapshot (for a wdev volume, the newest archived write
                      if newer); default: warning at 2, critical at 4 snapshot intervals
  replication lag     the target from this host furthest behind; default: not checked
  diff backlog        bytes of diffs not yet applied to the base; default: not checked
  log usage           percent of the wdev's log ring in use; default: warning 80, critical 95
A value this host cannot see (the archive lives on another host) is left out. Thresholds come from a
flag below, else the volume's "check:" in the tree (docs/config.md), else the defaults.

Prints one line: "WALBCTL STATE - what is wrong (or how many volumes are fine) | perfdata", perfdata as
'HOST/VOLUME recovery_point_age'=SECONDSs;WARN;CRIT;0; and likewise diff_backlog (B), replication_lag
(s), log_usage (%). docs/check.md has an Icinga/Nagios command definition.

Thresholds (for every volume checked; durations as 90s, 2h; sizes as 10GiB; usage in percent):
  --warning-age D      --critical-age D
  --warning-lag D      --critical-lag D
  --warning-backlog S  --critical-backlog S
  --warning-log P      --critical-log P

Options:
  --host H         the host to check (required)
  --volume V       check only this volume
  --observed FILE  the live state from a file (walbctl show observed --json) instead of observing
  --now TIME       check as if it were this UTC time (default: the clock, or the file's observedAt)

Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a volume could not be observed, or the check
could not run: bad arguments, a tree that does not validate). The worst volume decides: CRITICAL,
then WARNING, then UNKNOWN.`;

const OPTIONS = {
  host: { type: 'string' },
  volume: { type: 'string' },
  observed: { type: 'string' },
  now: { type: 'string' },
  'warning-age': { type: 'string' },
  'critical-age': { type: 'string' },
  'warning-lag': { type: 'string' },
  'critical-lag': { type: 'string' },
  'warning-backlog': { type: 'string' },
  'critical-backlog': { type: 'string' },
  'warning-log': { type: 'string' },
  'critical-log': { type: 'string' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export default defineCommand({
  summary: 'Nagios/Icinga check: recovery point age, replication lag, diff backlog, log usage',
  help,
  async run(args, io) {
    try {
      const { values, positionals } = parse(args, OPTIONS, { command: 'check', maxPositionals: 1 });
      if (!values.host) throw new UsageError('check: --host H is required (see "walbctl check --help")');
      const flags = flagThresholds(values);
      const dir = resolve(io.cwd, positionals[0] ?? '.');
      const desired = await (await import('../../plan/io/desired.js')).loadDesiredTree(dir, { host: values.host });
      const host = desired.hosts[values.host];
      if (!host) throw new UsageError(`check: host ${values.host} is not declared in the repository (no hosts/${values.host}.yaml)`);
      const unobservable = new Map<string, string>();
      let observed: ObservedState;
      if (values.observed) {
        observed = resolveFixturePaths(await readObservedFile(resolve(io.cwd, values.observed)), desired.root);
      } else {
        const { observeHost } = await import('../../observed/index.js');
        observed = await observeHost(host, desired, { onVolumeError: (name, error) => void unobservable.set(name, error instanceof Error ? error.message : String(error)) });
      }
      const now = values.now ? parseNow(values.now) : values.observed ? Date.parse(observed.observedAt) : Date.now();
      const volumes = [...volumesOf(desired, host.name).values()].filter((v) => !values.volume || v.name === values.volume).sort((a, b) => a.address.localeCompare(b.address));
      if (values.volume && volumes.length === 0) throw new UsageError(`check: host ${host.name} holds no volume ${values.volume}`);
      const checks: VolumeCheck[] = volumes.map((v) => {
        const error = unobservable.get(v.name);
        if (error !== undefined) return { address: v.address, values: null, thresholds: null, error: `cannot observe: ${error}` };
        return { address: v.address, values: healthValues(host.name, v, observed.volumes[v.name], now), thresholds: thresholdsFor(v, { now, flags }) };
      });
      const result = evaluate(host.name, checks);
      io.stdout(result.line + '\n');
      return result.state;
    } catch (error) {
      io.stdout(`WALBCTL UNKNOWN - ${error instanceof Error ? error.message : String(error)}\n`);
      return 3;
    }
  },
});

function flagThresholds(values: Values): CheckThresholds {
  const pair = (w: string | undefined, c: string | undefined, unit: (text: string, flag: string) => number, names: [string, string]): ThresholdPair | undefined =>
    w === undefined && c === undefined ? undefined : { warning: w === undefined ? null : unit(w, names[0]), critical: c === undefined ? null : unit(c, names[1]) };
  const duration = (text: string, flag: string): number => wrap(flag, () => durationSeconds(text));
  const size = (text: string, flag: string): number => wrap(flag, () => sizeBytes(/^\d+$/.test(text) ? Number(text) : text));
  const percent = (text: string, flag: string): number => {
    const n = Number(text.replace(/%$/, ''));
    if (!Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`check: --${flag}: expected a percent from 0 to 100, got "${text}"`);
    return n;
  };
  const out: CheckThresholds = {};
  const age = pair(values['warning-age'], values['critical-age'], duration, ['warning-age', 'critical-age']);
  if (age) out.recoveryPointAgeSeconds = age;
  const lag = pair(values['warning-lag'], values['critical-lag'], duration, ['warning-lag', 'critical-lag']);
  if (lag) out.replicationLagSeconds = lag;
  const backlog = pair(values['warning-backlog'], values['critical-backlog'], size, ['warning-backlog', 'critical-backlog']);
  if (backlog) out.diffBacklogBytes = backlog;
  const usage = pair(values['warning-log'], values['critical-log'], percent, ['warning-log', 'critical-log']);
  if (usage) out.logUsagePercent = usage;
  return out;
}

function wrap(flag: string, f: () => number): number {
  try {
    return f();
  } catch (error) {
    throw new UsageError(`check: --${flag}: ${(error as Error).message}`);
  }
}

function parseNow(value: string): number {
  const t = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(t)) throw new UsageError(`check: --now: expected a UTC ISO 8601 time, got "${value}"`);
  return t;
}
