/**
 * The daemon end to end: a real git repository, the daemon as a real process with the native driver,
 * files on disk. Each test starts its own repository and daemon.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { walbctlProcess } from '../helpers/cli.js';
import { condition, freePort, hostYaml, makeRepo, ready, startDaemon, status, waitFor, type RunningDaemon } from './daemon-harness.js';

const running: RunningDaemon[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) {
    if (d.child.exitCode === null && d.child.signalCode === null) {
      d.child.kill('SIGKILL');
      await d.exited;
    }
  }
});

function daemon(repo: string, args: string[] = []): RunningDaemon {
  const d = startDaemon(repo, args);
  running.push(d);
  return d;
}

describe('walbctl daemon', () => {
  it('initialises, backs up, snapshots, applies retention and keeps a verified restore, and converges a new commit within its interval', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const repo = makeRepo();
    repo.commit('one volume', { 'hosts/local.yaml': hostYaml(port, [{ name: 'demo' }]) });
    const d = daemon(repo.dir);
    const first = await waitFor('demo Ready with a verified restore', async () => {
      const s = await status(port);
      return ready(s, 'demo') && (s?.volumes.demo.restorable ?? 0) >= 1 && existsSync(join(repo.dir, 'data/restores/demo-newest.img')) ? s : null;
    }, { logs: d.logs });
    expect(first.desired.valid).toBe(true);
    const kinds = new Set(d.logs.map((l) => String(l.action ?? '').split(':')[1]).filter(Boolean));
    for (const kind of ['init', 'full-backup', 'snapshot', 'restore', 'verify-restore']) expect(kinds).toContain(kind);

    const sha = repo.commit('add a volume', { 'hosts/local.yaml': hostYaml(port, [{ name: 'demo' }, { name: 'extra' }]) });
    const committedAt = Date.now();
    const after = await waitFor('extra Ready', async () => {
      const s = await status(port);
      return ready(s, 'extra') ? s : null;
    }, { logs: d.logs, timeoutMs: 20_000 });
    expect(Date.now() - committedAt).toBeLessThan(3_000 * 1.05 + 2_000); // the interval (3 s ±5 %) plus the pass itself
    expect(after.volumes.extra.lastAppliedRevision).toBe(`main@sha1:${sha}`);
    expect(existsSync(join(repo.dir, 'data/storage/extra'))).toBe(true);

    // walbctl status reads the running daemon.
    const cli = walbctlProcess(['status', repo.dir, '--host', 'local', '--json']);
    const readings = JSON.parse(cli.stdout) as { source: string; status: { volumes: Record<string, unknown> } }[];
    expect(readings[0].source).toBe('daemon');
    expect(Object.keys(readings[0].status.volumes).sort()).toEqual(['demo', 'extra']);
    // Between passes (snapshots every 2 s keep it busy) the table says Ready.
    await waitFor('walbctl status showing demo Ready', () => /demo\s+True\s+ReconciliationSucceeded/.test(walbctlProcess(['status', repo.dir]).stdout), { timeoutMs: 15_000 });

    // Retention (keepLast: 3, a snapshot every 2 s) merges the oldest snapshots away.
    await waitFor('a retention merge', () => d.logs.some((l) => /:merge/.test(String(l.action ?? '')) && l.status === 'done'), { logs: d.logs, timeoutMs: 30_000 });
    const after3 = await status(port);
    expect(after3?.volumes.demo.restorable).toBeLessThanOrEqual(4);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^walbctl_snapshots_restorable\{host="local",volume="demo"\} [1-9]/m);
    expect(metrics).toMatch(/^walbctl_actions_total\{host="local",kind="full-backup",result="done"\} 2$/m); // one per volume

    d.child.kill('SIGTERM');
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    expect(d.logs.at(-1)?.msg).toBe('stopped');
  });

  it('does not act on a commit that does not validate, says why, and keeps converging to the last good revision', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const repo = makeRepo();
    const good = repo.commit('one volume', { 'hosts/local.yaml': hostYaml(port, [{ name: 'demo' }]) });
    const d = daemon(repo.dir);
    await waitFor('demo Ready', async () => ready(await status(port), 'demo'), { logs: d.logs });

    const bad = repo.commit('a volume with a bad size', { 'hosts/local.yaml': hostYaml(port, [{ name: 'demo' }, { name: 'bad', size: 'lots' }]) });
    const s = await waitFor('the invalid revision reported', async () => {
      const v = await status(port);
      return v && !v.desired.valid ? v : null;
    }, { logs: d.logs });
    expect(s.desired.lastAttemptedRevision).toBe(`main@sha1:${bad}`);
    expect(s.desired.lastGoodRevision).toBe(`main@sha1:${good}`);
    expect(s.desired.diagnostics.join('\n')).toMatch(/^hosts\/local\.yaml:\d+:\d+: error: .*size/m);
    // While a pass works (a snapshot every 2 s) demo is Reconciling and says the newest commit is invalid;
    // once the pass settles it is Stalled with InvalidDesiredState.
    const reconciling = condition(s, 'demo', 'Reconciling');
    if (reconciling?.status === 'True') expect(reconciling.message).toContain('does not validate');
    const settled = await waitFor('demo Stalled with InvalidDesiredState', async () => {
      const v = await status(port);
      return v && condition(v, 'demo', 'Stalled')?.status === 'True' ? v : null;
    }, { logs: d.logs, timeoutMs: 15_000 });
    expect(condition(settled, 'demo', 'Stalled')).toMatchObject({ status: 'True', reason: 'InvalidDesiredState' });
    // kstatus: exactly one of Ready/Reconciling/Stalled is True, and the volume says to what it converged.
    expect(s.volumes.demo.conditions.filter((c: { type: string; status: string }) => c.type !== 'ReplicationLagging' && c.status === 'True')).toHaveLength(1);
    expect(s.volumes.demo.lastAttemptedRevision).toBe(`main@sha1:${bad}`);
    expect(s.volumes.demo.lastAppliedRevision).toBe(`main@sha1:${good}`);

    // Still converging to the good revision: demo keeps getting snapshots; "bad" is never touched.
    const before = s.volumes.demo.lastSnapshot?.gid ?? 0;
    await waitFor('another snapshot of demo', async () => ((await status(port))?.volumes.demo.lastSnapshot?.gid ?? 0) > before, { logs: d.logs });
    expect(existsSync(join(repo.dir, 'data/storage/bad'))).toBe(false);
    expect(existsSync(join(repo.dir, 'data/archive/bad'))).toBe(false);
    // The checked-out tree does not validate: status finds the daemon through the registry.
    const text = walbctlProcess(['status', repo.dir, '--host', 'local'], { env: d.env });
    expect(text.stderr).toContain('asking the daemon(s) registered in');
    expect(text.stdout).toContain(`main@sha1:${bad} DOES NOT VALIDATE — converging to main@sha1:${good}`);
    expect(text.code).toBe(1);

    const fixed = repo.commit('fix it', { 'hosts/local.yaml': hostYaml(port, [{ name: 'demo' }]) });
    const back = await waitFor('valid again', async () => {
      const v = await status(port);
      return v?.desired.valid ? v : null;
    }, { logs: d.logs });
    expect(back.desired.lastGoodRevision).toBe(`main@sha1:${fixed}`);
    expect(condition(back, 'demo', 'Stalled')?.status).toBe('False');
  });

  it('resumes the plan a kill -9 interrupted mid-action, taking over the dead holder\'s lock', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const repo = makeRepo();
    // A volume full of random data, so the full backup takes long enough to be killed in the middle.
    mkdirSync(join(repo.dir, 'data/volumes'), { recursive: true });
    const image = join(repo.dir, 'data/volumes/demo.img');
    execFileSync('dd', ['if=/dev/urandom', `of=${image}`, 'bs=1M', 'count=256', 'status=none']);
    repo.commit('one big volume', { 'hosts/local.yaml': hostYaml(port, [{ name: 'demo', size: '256MiB', every: '1h' }]) });
    const journal = join(repo.dir, 'data/reconciler/journal.jsonl');
    const first = daemon(repo.dir);
    await waitFor('the full backup running', () => existsSync(journal) && /"t":"start","at":"[^"]+","id":"local\/demo:full-backup"/.test(readFileSync(journal, 'utf8')), { logs: first.logs, timeoutMs: 30_000 });
    first.child.kill('SIGKILL');
    await first.exited;
    const records = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string; id?: string });
    expect(records.some((r) => r.t === 'end')).toBe(false);
    expect(records.some((r) => r.t === 'done' && r.id === 'local/demo:full-backup')).toBe(false);
    expect(existsSync(join(repo.dir, 'data/reconciler/lock.json'))).toBe(true);

    const second = daemon(repo.dir);
    await waitFor('demo Ready with a verified restore', async () => {
      const s = await status(port);
      return ready(s, 'demo') && existsSync(join(repo.dir, 'data/restores/demo-newest.img'));
    }, { logs: second.logs, timeoutMs: 90_000 });
    const messages = second.logs.map((l) => String(l.msg ?? ''));
    expect(messages.some((m) => m.startsWith('took over a stale lock'))).toBe(true);
    expect(messages.some((m) => m.startsWith('resumed the plan a crash interrupted'))).toBe(true);
    // The restored image holds exactly the volume's bytes.
    expect(() => execFileSync('cmp', ['--silent', image, join(repo.dir, 'data/restores/demo-newest.img')])).not.toThrow();
  });

  it('stops on SIGTERM only after the running action finished, leaving the journal closed', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const repo = makeRepo();
    mkdirSync(join(repo.dir, 'data/volumes'), { recursive: true });
    execFileSync('dd', ['if=/dev/urandom', `of=${join(repo.dir, 'data/volumes/demo.img')}`, 'bs=1M', 'count=256', 'status=none']);
    repo.commit('one big volume', { 'hosts/local.yaml': hostYaml(port, [{ name: 'demo', size: '256MiB', every: '1h' }]) });
    const journal = join(repo.dir, 'data/reconciler/journal.jsonl');
    const d = daemon(repo.dir);
    await waitFor('the full backup running', () => existsSync(journal) && /"t":"start","at":"[^"]+","id":"local\/demo:full-backup"/.test(readFileSync(journal, 'utf8')), { logs: d.logs, timeoutMs: 30_000 });
    d.child.kill('SIGTERM');
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    const records = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string; id?: string; result?: string });
    expect(records.some((r) => r.t === 'done' && r.id === 'local/demo:full-backup')).toBe(true);
    expect(records.at(-1)).toMatchObject({ t: 'end' });
    expect(existsSync(join(repo.dir, 'data/reconciler/lock.json'))).toBe(false);
  });

  it('runs one pass with --once: exit 0 when the host converged, 1 when the tree does not validate', { timeout: 60_000 }, async () => {
    const repo = makeRepo();
    repo.commit('one volume', { 'hosts/local.yaml': hostYaml(await freePort(), [{ name: 'demo', every: '1h' }]) });
    const state = mkdtempSync(join(tmpdir(), 'walbctl-state-'));
    const once = (args: string[] = []) =>
      walbctlProcess(['daemon', '--repo', repo.dir, '--host', 'local', '--once', '--workdir', join(state, 'wc'), '--log-format', 'json', ...args], { env: { XDG_STATE_HOME: state } });
    const first = once();
    expect(first.code).toBe(0);
    expect(existsSync(join(repo.dir, 'data/archive/demo'))).toBe(true);
    repo.commit('break it', { 'hosts/local.yaml': 'host: local\nroles: [nonsense]\n' });
    const broken = once();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('does not validate: not acting on it');
  });
});
