/**
 * The per-host GitOps daemon: follows a branch of the repository in its own working copy, and
 * reconciles the host on every new commit (a local repository is watched), at every schedule tick
 * the planner announces, after a volume's backoff ends, and every interval (±5 % jitter). A commit
 * that does not validate is never acted on: the daemon keeps converging to the last good revision and
 * reports the diagnostics. SIGTERM stops it after the running action.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

import type { Logger } from 'pino';

import type { Driver } from '../drivers/driver.js';
import type { DesiredHost, DesiredState } from '../model/desired.js';
import { statePaths } from '../apply/state-paths.js';
import { Backoff, jitter } from './backoff.js';
import { loadCheckedOut, type DesiredLoader, type GoodRevision } from './desired-source.js';
import { GitSource, GitSourceError, isLocalRepo, localRepoPath, type SourceRevision } from './git-source.js';
import { DaemonMetrics } from './metrics.js';
import { ensureDataDir } from '../apply/data-dir.js';
import { runPass, type PlanFunction } from './pass.js';
import { stateHome } from './registry.js';
import { startServices, type DaemonServices } from './services.js';
import { volumeSummary } from './summary.js';
import { StatusStore } from './status-store.js';
import { withAges } from './status-view.js';
import type { ObservedState } from '../../common/observed.js';
import { linkStatus, renderLinkMetrics, type LinkStatus } from '../fleet/links.js';
import { needsWire } from '../fleet/peer-address.js';
import { WireEndpoint } from '../fleet/wire-endpoint.js';
import { missingCertificatesHint } from '../fleet/first-start-certs.js';
import { ProxyRole } from '../fleet/proxy-role.js';
import { ShipRole } from '../fleet/ship-role.js';
import { WalbEndpoint } from '../fleet/walb-endpoint.js';
import { registerEndpoint, unregisterEndpoint } from '../fleet/wire-registry.js';

export interface DaemonOptions {
  /** URL or local path of the repository. */
  repo: string;
  branch?: string;
  host: string;
  /** The tree's directory inside the repository (default: its root). */
  tree?: string;
  cwd: string;
  /** The daemon's own working copy (default: under $XDG_STATE_HOME/walbctl/checkouts/). */
  workdir?: string;
  allowDestroy?: boolean;
  /** One pass, then exit. */
  once?: boolean;
  /** Overrides the host file's daemon.intervalSeconds (tests, benchmarks). */
  intervalSeconds?: number;
  /** Overrides the host file's daemon.listen (tests: `127.0.0.1:0`). */
  listen?: string;
  /** Run without the wire (no listener, no status calls to peers): the plan says peers were not observed. */
  noWire?: boolean;
  log: Logger;
  load: DesiredLoader;
  computePlan: PlanFunction;
  driverFor: (host: DesiredHost) => Promise<Driver>;
  /** Runs before the wire starts (the embedded default makes its certificates here). */
  prepareWire?: (host: DesiredHost, desired: DesiredState) => Promise<void>;
  now?: () => Date;
}

type Good = GoodRevision;

export function defaultWorkdir(repo: string, host: string, env: NodeJS.ProcessEnv = process.env): string {
  const state = stateHome(env);
  const id = createHash('sha256').update(repo).digest('hex').slice(0, 12);
  return join(state, 'walbctl', 'checkouts', `${host}-${id}`);
}

/** A commit subject cut for one log line. */
function short(subject: string): string {
  return subject.length > 60 ? `${subject.slice(0, 57)}…` : subject;
}

export class Daemon {
  readonly store: StatusStore;
  private readonly metrics: DaemonMetrics;
  private readonly backoff = new Backoff();
  private readonly source: GitSource;
  private readonly repoPath: string | null;
  private readonly now: () => Date;
  private good: Good | null = null;
  private seenSha: string | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private triggered = false;
  private followUps = 0;
  private lastSummary = '';
  private services: DaemonServices | null = null;
  private drivers = new Map<string, Driver>();
  private wire: WireEndpoint | null = null;
  /** The proxy role's spool and forwarding (hosts with the proxy role, once the wire runs). */
  private proxyRole: ProxyRole | null = null;
  /** The storage role's log shipping to proxies (wdev volumes whose tree names proxies). */
  private shipRole: ShipRole | null = null;
  private walbEndpoint: WalbEndpoint | null = null;
  private lastObserved: ObservedState | null = null;

  constructor(private readonly options: DaemonOptions) {
    this.now = options.now ?? (() => new Date());
    this.repoPath = isLocalRepo(options.repo) ? localRepoPath(options.repo, options.cwd) : null;
    const repo = this.repoPath ?? options.repo;
    const workdir = options.workdir ?? defaultWorkdir(repo, options.host);
    this.source = new GitSource({
      repo,
      branch: options.branch,
      workdir,
      onDirty: (files) => options.log.warn({ files }, `the daemon's working copy had local changes; checkout discarded them (${files.length} file(s))`),
    });
    this.store = new StatusStore(
      {
        formatVersion: 1,
        host: options.host,
        pid: process.pid,
        startedAt: this.now().toISOString(),
        source: { repo, branch: options.branch ?? null, workdir, revision: null, subject: null, fetchedAt: null, error: null },
        desired: { lastGoodRevision: null, lastAttemptedRevision: null, valid: true, diagnostics: [] },
        lastPassAt: null,
        nextPassAt: null,
        running: null,
        volumes: {},
      },
      (error) => options.log.error({ err: error }, 'cannot write status.json'),
    );
    this.metrics = new DaemonMetrics({ status: () => this.store.status, now: () => this.now().getTime() });
  }

  /** The port the status server listens on (once started). */
  get port(): number | null {
    return this.services?.port ?? null;
  }

  /** Asks for a pass now (a new commit, POST /reconcile, SIGHUP). */
  trigger(why: string): void {
    this.options.log.debug({ why }, 'reconcile requested');
    this.triggered = true;
    this.wake?.();
  }

  /** Stops after the running action (SIGTERM). */
  stop(): void {
    if (!this.stopping) this.options.log.info('stopping after the running action');
    this.stopping = true;
    this.wake?.();
  }

  /** Runs until stopped (0), or one pass with `once` (0 when every volume converged, else 1). */
  async run(): Promise<number> {
    const { log } = this.options;
    log.info({ repo: this.store.status.source.repo, host: this.options.host, workdir: this.source.workdir }, `walbctl daemon for host ${this.options.host} starting`);
    await this.warnUncommitted();
    let ok = false;
    try {
      while (!this.stopping) {
        this.triggered = false;
        const result = await this.pass();
        ok = result.ok;
        if (this.options.once) break;
        await this.sleepUntil(result.wakeAt);
      }
    } finally {
      await this.services?.close();
      await this.proxyRole?.close();
      await this.shipRole?.close();
      await this.walbEndpoint?.close();
      if (this.wire) {
        unregisterEndpoint(this.options.host, this.wire);
        await this.wire.close();
      }
      await this.store.flush();
      log.info('stopped');
    }
    // A stop asked for (SIGTERM) is a clean exit; with --once the pass's result is the exit status.
    return this.options.once ? (ok ? 0 : 1) : 0;
  }

  private async pass(): Promise<{ ok: boolean; wakeAt: number }> {
    const { log } = this.options;
    const started = this.now();
    this.store.status.lastPassAt = started.toISOString();
    await this.refreshSource();
    const good = this.good;
    const intervalMs = (this.options.intervalSeconds ?? good?.host.daemon.intervalSeconds ?? 60) * 1000;
    let wakeAt = started.getTime() + jitter(intervalMs);
    if (!good) {
      log.error('no revision of the repository validated yet: nothing to converge to');
      await this.store.flush();
      return { ok: false, wakeAt };
    }
    let ok = false;
    const hostKey = `${good.host.name}/*`;
    await this.proxyRole?.sync().catch((error: unknown) => log.error({ err: error }, `proxy: ${(error as Error).message}`));
    await this.shipRole?.sync().catch((error: unknown) => log.error({ err: error }, `ship: ${(error as Error).message}`));
    try {
      const driver = await this.driver(good.host);
      const result = await runPass({
        desired: good.state,
        host: good.host,
        revision: good.revision,
        driver,
        computePlan: this.options.computePlan,
        store: this.store,
        backoff: this.backoff,
        metrics: this.metrics,
        log,
        allowDestroy: this.options.allowDestroy ?? false,
        shouldStop: () => this.stopping,
        now: this.now,
        ...(this.wire ? { askPeer: this.wire.askStatus } : {}),
        ...(this.proxyRole ? { forwarding: () => this.proxyRole?.queues() ?? [] } : {}),
        onObserved: (observed) => void (this.lastObserved = observed),
      });
      ok = result.ok && this.store.status.desired.valid;
      this.backoff.succeed(hostKey);
      // Actions change what the next plan holds (a new snapshot makes the declared restore stale):
      // look again soon rather than a whole interval later, a few times in a row at most.
      this.followUps = result.ran > 0 && result.ok ? this.followUps + 1 : 0;
      if (result.ran > 0 && result.ok && this.followUps <= 3) wakeAt = Math.min(wakeAt, this.now().getTime() + 1000);
      if (result.nextScheduledAt !== null) wakeAt = Math.min(wakeAt, Math.max(result.nextScheduledAt + 250, this.now().getTime() + 250));
    } catch (error) {
      log.error({ err: error }, `reconcile pass failed: ${(error as Error).message}`);
      wakeAt = Math.min(wakeAt, this.backoff.fail(hostKey, this.now().getTime()));
    }
    this.logSummary();
    const retry = this.backoff.nextRetry(this.now().getTime());
    if (retry !== null) wakeAt = Math.min(wakeAt, retry + 50);
    this.store.status.nextPassAt = new Date(wakeAt).toISOString();
    if (this.wire) this.store.status.links = this.links();
    await this.store.flush();
    return { ok, wakeAt };
  }

  /** Fetches; loads a new commit; keeps the last good desired state when it does not validate. */
  private async refreshSource(): Promise<void> {
    const { log } = this.options;
    const status = this.store.status;
    let rev: SourceRevision;
    try {
      rev = await this.source.sync();
      status.source.error = null;
      status.source.fetchedAt = this.now().toISOString();
    } catch (error) {
      if (!(error instanceof GitSourceError)) throw error;
      status.source.error = error.message;
      log.error({ err: error }, `cannot fetch the repository: ${error.message}${this.good ? `; converging to ${this.good.revision}` : ''}`);
      return;
    }
    status.source.revision = rev.revision;
    status.source.branch = rev.branch;
    status.source.subject = rev.subject;
    if (rev.sha === this.seenSha) return;
    this.seenSha = rev.sha;
    status.desired.lastAttemptedRevision = rev.revision;
    const loaded = await loadCheckedOut(this.options.load, { workdir: this.source.workdir, tree: this.options.tree ?? '.', host: this.options.host, revision: rev.revision, repoPath: this.repoPath });
    if (!loaded.good) {
      const errors = loaded.errors;
      status.desired.valid = false;
      status.desired.diagnostics = errors;
      log.error({ revision: rev.revision, diagnostics: errors }, `${rev.revision} ("${short(rev.subject)}") does not validate: not acting on it${this.good ? `; converging to ${this.good.revision}` : ''}`);
      for (const line of errors) log.error({ revision: rev.revision }, line);
      this.store.refreshConditions(this.now());
      await this.store.flush();
      return;
    }
    const previous = this.good;
    this.good = loaded.good;
    status.desired = { lastGoodRevision: rev.revision, lastAttemptedRevision: rev.revision, valid: true, diagnostics: [] };
    this.store.refreshConditions(this.now());
    log.info({ revision: rev.revision, subject: rev.subject }, `desired state ${rev.revision} ("${short(rev.subject)}"): ${Object.keys(this.good.host.volumes).length} volume(s) on ${this.options.host}`);
    // Nothing is written under a dataDir the tree does not let the daemon create (a typo there
    // would otherwise start an empty archive); each pass reports it until it is fixed.
    const dataDirOk = await ensureDataDir(this.good.host, { mayCreate: false }).then(
      (created) => {
        if (created) log.info({ dataDir: this.good!.host.dataDir }, `created the data directory ${this.good!.host.dataDir} (createDataDir: true in the host file)`);
        return true;
      },
      (error: unknown) => {
        log.error({ dataDir: this.good!.host.dataDir }, (error as Error).message);
        return false;
      },
    );
    if (dataDirOk) this.store.setFile(statePaths(this.good.host.dataDir).status);
    if (!this.wire) await this.startWire();
    if (!previous) await this.startServices();
    else if (previous.host.daemon.listen !== this.good.host.daemon.listen && !this.options.listen) {
      log.warn(`daemon.listen changed to ${this.good.host.daemon.listen}; restart the daemon to move the status server`);
    }
  }

  /** The daemon acts on commits only: say so when the local tree has edits not committed yet. */
  private async warnUncommitted(): Promise<void> {
    const tree = this.options.tree ?? '.';
    const files = await this.source.uncommittedInRepository([join(tree, 'hosts'), join(tree, 'templates')]).catch(() => []);
    if (files.length === 0) return;
    this.options.log.warn({ files }, `not committed, so not acted on: ${files.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''} (the daemon follows commits: git commit them)`);
  }

  /** One line on how the volumes stand: at info when it changed since the last one, else at debug. */
  private logSummary(): void {
    const { line, next } = volumeSummary(this.store.status);
    const message = `${this.options.host}: ${line}${next ? `; next: ${next.kind} at ${next.at.slice(11, 19)}Z` : ''}`;
    const changed = line !== this.lastSummary;
    this.lastSummary = line;
    if (changed) this.options.log.info(message);
    else this.options.log.debug(message);
  }

  private async startServices(): Promise<void> {
    if (this.options.once) return;
    const good = this.good as Good;
    this.services = await startServices(
      good.host,
      {
        status: () => withAges(this.wire ? { ...this.store.status, links: this.links() } : this.store.status, this.now().getTime()),
        metrics: async () => (await this.metrics.render()) + (this.wire ? renderLinkMetrics(this.links(), this.wire.refusals) : ''),
        reconcileNow: () => this.trigger('POST /reconcile'),
        newCommit: () => this.trigger('new commit'),
      },
      { listen: this.options.listen, repo: this.store.status.source.repo, repoPath: this.repoPath, cwd: this.options.cwd, startedAt: this.store.status.startedAt, log: this.options.log },
    );
  }

  /** The wire: servers on the roles' listen addresses (not with --once), and the client the plan's
   *  status calls and the driver's transfers use. A host whose certificates are missing runs without
   *  it, and its plans say the peers were not observed. A `driver: walb` host has none; an archive
   *  host with archive.walbListen also serves WalB's wdiff-transfer (fleet/walb-endpoint.ts). */
  private async startWire(): Promise<void> {
    const good = this.good as Good;
    if (this.options.noWire || !needsWire(good.host.name, good.state)) return;
    // A driver: walb host's listen addresses are WalB's servers' ports: WalB's servers move its data,
    // the daemon drives them through walbc and serves no wire of its own there.
    if (good.host.driver === 'walb') return;
    try {
      await this.options.prepareWire?.(good.host, good.state);
      this.wire = await WireEndpoint.start({ host: good.host, desired: () => (this.good as Good).state, log: this.options.log, serve: !this.options.once });
      registerEndpoint(good.host.name, this.wire);
      if (good.host.roles.includes('proxy') && !this.options.once) this.proxyRole = new ProxyRole(good.host, this.wire, () => (this.good as Good).state, this.options.log);
      if (good.host.roles.includes('storage') && !this.options.once) this.shipRole = new ShipRole(good.host, this.wire, () => (this.good as Good).state, this.options.log, {
        onView: (vol, view) => {
          const v = this.store.status.volumes[vol];
          if (v) v.shipping = view;
        },
      });
      if (!this.options.once) this.walbEndpoint = await WalbEndpoint.start(good.host, () => (this.good as Good).state, this.options.log);
    } catch (error) {
      const hint = (error as NodeJS.ErrnoException).message.includes('ENOENT') ? missingCertificatesHint(good.host) : null;
      this.options.log.error({ err: error }, `the wire does not start: ${(error as Error).message}; remote archives will not be observed${hint ? `. ${hint}` : ''}`);
    }
  }

  private links(): LinkStatus[] {
    return this.wire ? linkStatus(this.wire, this.lastObserved, this.now().getTime()) : [];
  }

  private async driver(host: DesiredHost): Promise<Driver> {
    let d = this.drivers.get(host.driver);
    if (!d) this.drivers.set(host.driver, (d = await this.options.driverFor(host)));
    return d;
  }

  private async sleepUntil(at: number): Promise<void> {
    if (this.stopping || this.triggered) return;
    const ms = Math.max(0, at - this.now().getTime());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = null;
  }
}
