/**
 * walbctl check end to end: the daemon converges a host while an operator restores snapshots by hand
 * and a cron-style loop runs `walbctl check` as Icinga would; then the daemon stops, the recovery point
 * ages, and the check turns CRITICAL.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { walbctlProcess } from '../helpers/cli.js';
import { freePort, hostYaml, makeRepo, ready, startDaemon, status, waitFor, type RunningDaemon } from './daemon-harness.js';

const running: RunningDaemon[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) {
    if (d.child.exitCode === null && d.child.signalCode === null) {
      d.child.kill('SIGKILL');
      await d.exited;
    }
  }
});

const CHECK = `    check:
      recoveryPointAge: { warning: 20s, critical: 40s }
      diffBacklog: { warning: 1GiB }
`;

describe('walbctl check', () => {
  it('stays OK in a cron-style loop while the daemon runs alongside manual restores, exposes the same values on /metrics, and turns CRITICAL when the recovery point ages past the tree\'s threshold', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const repo = makeRepo();
    repo.commit('one volume with check thresholds', { 'hosts/local.yaml': hostYaml(port, [{ name: 'demo', extra: CHECK }]) });
    const d = startDaemon(repo.dir);
    running.push(d);
    await waitFor('demo Ready with a snapshot', async () => {
      const s = await status(port);
      return ready(s, 'demo') && (s?.volumes.demo.restorable ?? 0) >= 2 ? s : null;
    }, { logs: d.logs });

    const restores = mkdtempSync(join(tmpdir(), 'walbctl-manual-restore-'));
    const runs: { code: number; line: string }[] = [];
    for (let i = 0; i < 4; i++) {
      // The operator restores the newest restorable snapshot by hand. A restore racing the daemon's
      // merge of the diffs it reads can fail (a diff file gone, ENOENT; the archive has no lock across
      // the two yet): the operator tries again, at most 3 times.
      let restored = { code: -1, stderr: '' };
      for (let attempt = 0; attempt < 3 && restored.code !== 0; attempt++) {
        const gid = (await status(port))!.volumes.demo.lastSnapshot!.gid;
        restored = walbctlProcess(['archive', 'restore', 'demo', String(gid), '--path', join(restores, `r${i}.img`), '--host', 'local'], { cwd: repo.dir });
      }
      expect(restored.code, restored.stderr).toBe(0);
      // ...and the monitoring system runs the check, as a cron job would.
      const check = walbctlProcess(['check', repo.dir, '--host', 'local']);
      runs.push({ code: check.code, line: check.stdout });
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const r of runs) {
      expect(r.code, r.line).toBe(0);
      expect(r.line).toMatch(/^WALBCTL OK - 1 volume\(s\) on local within thresholds \| 'local\/demo recovery_point_age'=\d+s;20;40;0; 'local\/demo diff_backlog'=\d+B;1073741824;;0;\n$/);
    }
    // The daemon left the operator's restores alone and did not stall over them.
    for (let i = 0; i < 4; i++) expect(existsSync(join(restores, `r${i}.img`))).toBe(true);
    const s = await status(port);
    expect(s?.volumes.demo.conditions.find((c) => c.type === 'Stalled')?.status).toBe('False');

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^walbctl_recovery_point_age_seconds\{host="local",volume="demo"\} \d+$/m);
    expect(metrics).toMatch(/^walbctl_check_threshold\{host="local",volume="demo",check="recovery_point_age",level="critical"\} 40$/m);
    expect(metrics).toMatch(/^walbctl_check_threshold\{host="local",volume="demo",check="diff_backlog",level="warning"\} 1073741824$/m);

    d.child.kill('SIGTERM');
    await d.exited;
    const critical = await waitFor('the check CRITICAL', () => {
      const c = walbctlProcess(['check', repo.dir, '--host', 'local', '--warning-age', '2s', '--critical-age', '4s']);
      return c.code === 2 ? c : null;
    }, { timeoutMs: 20_000 });
    expect(critical.stdout).toMatch(/^WALBCTL CRITICAL - local\/demo: recovery point \d+ ?s old \(newest restorable snapshot\) \(CRITICAL at 4 ?s\) \| /);
    expect(walbctlProcess(['check', repo.dir, '--host', 'nowhere']).stdout).toMatch(/^WALBCTL UNKNOWN - /);
    expect(walbctlProcess(['check', repo.dir, '--host', 'nowhere']).code).toBe(3);
  });
});
