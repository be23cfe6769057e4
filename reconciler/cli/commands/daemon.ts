/**
 * `walbctl daemon`: the per-host GitOps loop (reconciler/daemon/daemon.ts) with its signals wired:
 * SIGTERM or Ctrl-C stops it after the running action (a second one stops it at once), SIGHUP asks
 * for a pass now. `--host` given more than once runs one loop per host in this process (the embedded
 * default: a storage host and its archive host on one machine), each with its own working copy, data
 * directory, lock, status address and wire; their certificates are made on first start.
 */
import { join } from 'node:path';

import { UsageError } from '../../../common/errors.js';
import { Daemon } from '../../daemon/daemon.js';
import { createLogger, type LogFormat } from '../../daemon/logger.js';
import { driverFor, loadTree, planHost } from '../../daemon/wiring.js';
import { FirstStartCertificates } from '../../fleet/first-start-certs.js';
import { parseDuration } from '../../util/duration.js';
import { parse } from '../args.js';
import { defineCommand } from '../command.js';

const help = `Usage: walbctl daemon --repo URL|PATH --host H [--host H2 …] [--branch B] [--once] [options]

Runs the reconciler for host H: follows branch B of the repository in its own working copy (cloned,
then fetched; the exact commit is checked out, never pulled), and converges the host to it — on every
new commit (a local PATH is watched), when a schedule is due, and every daemon.interval of the host
file (±5 % jitter). A failing volume is retried with exponential backoff (750 ms doubling, up to
15 min). A commit that does not validate is not acted on: the daemon keeps converging to the last
revision that did, and status says why.

Status is served on the host file's daemon.listen (loopback only): GET /status (JSON, what
"walbctl status" shows), GET /metrics (Prometheus), POST /reconcile (reconcile now). Logs are JSON
lines, or readable lines when stdout is a terminal. SIGTERM stops after the running action.

With --host given more than once, one process runs each host's loop as a daemon of its own would
(the embedded default: --host local --host backup); each log line names its host. Hosts so served
that use the default certificate paths (tls/ in their data directory) and have none get them on
first start: a CA in the first such host's tls/ (key mode 0600), and a key and certificate per host.

Options:
  --repo URL|PATH       the repository (a local path, e.g. ".", is watched for new commits)
  --host H              the host this daemon converges (required; repeat it to serve several)
  --branch B            the branch to follow (default: the repository's HEAD branch)
  --tree DIR            the tree's directory inside the repository (default: its root)
  --workdir DIR         the daemon's working copy (default: $XDG_STATE_HOME/walbctl/checkouts/H-<id>;
                        with several hosts, DIR/H for each)
  --once                one pass, then exit (0 when every volume converged, 1 otherwise)
  --allow-destroy       allow destructive actions (clearing a volume removed from the repository)
  --interval DURATION   override daemon.interval (e.g. 30s)
  --listen ADDR         override daemon.listen (e.g. 127.0.0.1:0; one host only)
  --log-format F        json or pretty (default: pretty on a terminal, json otherwise)
  --log-level L         debug, info (default), warn, error

Relative paths in the tree (dataDir, images) resolve inside PATH for a local repository, and inside
the working copy for a URL: give absolute paths in host files of hosts that follow a URL.`;

export default defineCommand({
  summary: 'run the per-host GitOps reconcile loop (status, metrics, logs)',
  help,
  async run(args, io) {
    const { values } = parse(
      args,
      {
        repo: { type: 'string' },
        host: { type: 'string', multiple: true },
        branch: { type: 'string' },
        tree: { type: 'string' },
        workdir: { type: 'string' },
        once: { type: 'boolean' },
        'allow-destroy': { type: 'boolean' },
        interval: { type: 'string' },
        listen: { type: 'string' },
        'log-format': { type: 'string' },
        'log-level': { type: 'string' },
      },
      { command: 'daemon', maxPositionals: 0 },
    );
    if (!values.repo) throw new UsageError('daemon: --repo URL|PATH is required (for this checkout: --repo .)');
    const hosts = values.host ?? [];
    if (hosts.length === 0) throw new UsageError('daemon: --host H is required (the embedded default is --host local --host backup)');
    const twice = hosts.find((h, i) => hosts.indexOf(h) !== i);
    if (twice) throw new UsageError(`daemon: --host ${twice} is given twice`);
    if (hosts.length > 1 && values.listen !== undefined) throw new UsageError('daemon: --listen overrides one host\'s daemon.listen: give it with a single --host');
    const format = values['log-format'] ?? (process.stdout.isTTY ? 'pretty' : 'json');
    if (format !== 'json' && format !== 'pretty') throw new UsageError(`--log-format: expected json or pretty, got "${format}"`);
    const level = values['log-level'] ?? 'info';
    if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level: expected debug, info, warn or error, got "${level}"`);
    let intervalSeconds: number | undefined;
    if (values.interval !== undefined) {
      try {
        intervalSeconds = parseDuration(values.interval);
      } catch (error) {
        throw new UsageError(`--interval: ${(error as Error).message}`);
      }
      if (intervalSeconds <= 0) throw new UsageError('--interval: must be longer than 0s');
    }
    const root = createLogger({ format: format as LogFormat, level });
    const certificates = new FirstStartCertificates(hosts);
    const daemons = hosts.map((host) => {
      const log = hosts.length > 1 ? root.child({ daemon: host }) : root;
      return new Daemon({
        repo: values.repo!,
        branch: values.branch,
        host,
        tree: values.tree,
        cwd: io.cwd,
        workdir: values.workdir !== undefined && hosts.length > 1 ? join(values.workdir, host) : values.workdir,
        allowDestroy: values['allow-destroy'] === true,
        once: values.once === true,
        intervalSeconds,
        listen: values.listen,
        log,
        load: loadTree,
        computePlan: planHost,
        driverFor,
        prepareWire: (h, desired) => certificates.ensure(h, desired, log),
      });
    });
    const log = root;
    let signals = 0;
    const onStop = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        log.warn(`${signal} again: exiting now`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      log.info(`${signal}: finishing the running action, then exiting (send it again to exit now)`);
      for (const d of daemons) d.stop();
    };
    const onHup = () => daemons.forEach((d) => d.trigger('SIGHUP'));
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onHup);
    try {
      const codes = await Promise.all(daemons.map((d) => d.run()));
      return Math.max(...codes);
    } finally {
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      process.off('SIGHUP', onHup);
    }
  },
});
