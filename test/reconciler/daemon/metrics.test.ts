import { describe, expect, it } from 'vitest';

import { DaemonMetrics } from '../../../reconciler/daemon/metrics.js';
import { emptyVolumeStatus, type DaemonStatus } from '../../../reconciler/daemon/status-model.js';

function status(): DaemonStatus {
  const demo = { ...emptyVolumeStatus('local/demo'), lastSnapshot: { gid: 7, at: '2026-11-21T10:00:00.000Z' }, restorable: 4, diffBacklog: { count: 3, bytes: 12_288 }, lastSucceededAt: '2026-11-21T10:00:30.000Z' };
  return {
    formatVersion: 1, host: 'local', pid: 1, startedAt: '2026-11-21T09:00:00.000Z',
    source: { repo: '.', branch: 'main', workdir: '/w', revision: null, subject: null, fetchedAt: null, error: null },
    desired: { lastGoodRevision: null, lastAttemptedRevision: null, valid: true, diagnostics: [] },
    lastPassAt: null, nextPassAt: null, running: null,
    volumes: { demo, fresh: emptyVolumeStatus('local/fresh') },
  };
}

const now = Date.parse('2026-11-21T10:01:00.000Z');
const metricsOf = (s: DaemonStatus, options: { processMetrics?: boolean } = { processMetrics: false }) => new DaemonMetrics({ status: () => s, now: () => now }, options);

describe('Prometheus metrics', () => {
  it('gives per volume the newest snapshot\'s age, restorable count, pending diff bytes and time since the last success', async () => {
    const text = await metricsOf(status()).render();
    expect(text).toContain('walbctl_snapshot_newest_age_seconds{host="local",volume="demo"} 60');
    expect(text).toContain('walbctl_snapshots_restorable{host="local",volume="demo"} 4');
    expect(text).toContain('walbctl_diff_pending_bytes{host="local",volume="demo"} 12288');
    expect(text).toContain('walbctl_reconcile_last_success_age_seconds{host="local",volume="demo"} 30');
    expect(text).not.toContain('walbctl_snapshot_newest_age_seconds{host="local",volume="fresh"}');
    expect(text).toContain('walbctl_desired_state_valid{host="local"} 1');
  });

  it('reads the status at each scrape, so a volume gone from the status leaves the metrics', async () => {
    const s = status();
    const m = metricsOf(s);
    expect(await m.render()).toContain('volume="fresh"');
    delete s.volumes.fresh;
    s.volumes.demo!.restorable = 5;
    const text = await m.render();
    expect(text).not.toContain('volume="fresh"');
    expect(text).toContain('walbctl_snapshots_restorable{host="local",volume="demo"} 5');
  });

  it('counts actions and their durations by kind and result, as a histogram', async () => {
    const m = metricsOf(status());
    m.record('snapshot', 'done', 0.3);
    m.record('snapshot', 'done', 2);
    m.record('replicate', 'blocked', null);
    const text = await m.render();
    expect(text).toContain('walbctl_actions_total{host="local",kind="snapshot",result="done"} 2');
    expect(text).toContain('walbctl_actions_total{host="local",kind="replicate",result="blocked"} 1');
    expect(text).toContain('walbctl_action_duration_seconds_bucket{le="0.5",host="local",kind="snapshot",result="done"} 1');
    expect(text).toContain('walbctl_action_duration_seconds_bucket{le="5",host="local",kind="snapshot",result="done"} 2');
    expect(text).toContain('walbctl_action_duration_seconds_bucket{le="+Inf",host="local",kind="snapshot",result="done"} 2');
    expect(text).toContain('walbctl_action_duration_seconds_sum{host="local",kind="snapshot",result="done"} 2.3');
    expect(text).not.toContain('walbctl_action_duration_seconds_count{host="local",kind="replicate"');
  });

  it('declares every family once with HELP and TYPE, and escapes label values', async () => {
    const s = status();
    s.host = 'we"ird\\host\nx';
    const text = await metricsOf(s).render();
    const types = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    expect(new Set(types).size).toBe(types.length);
    expect(text).toContain('host="we\\"ird\\\\host\\nx"');
  });

  it('exposes the process metrics operators graph: memory, CPU, event-loop lag and open file descriptors', async () => {
    const text = await metricsOf(status(), {}).render();
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'process_open_fds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? [0-9.e+-]+$`, 'm'));
    }
  });

  it('keeps every metric name docs/daemon.md documents', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/daemon.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `(walbctl_[a-z_]+)[{`]/gm)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(8);
    const m = metricsOf(status());
    m.record('snapshot', 'done', 1);
    const text = await m.render();
    for (const name of documented) expect(text, name).toContain(`# TYPE ${name} `);
  });
});
