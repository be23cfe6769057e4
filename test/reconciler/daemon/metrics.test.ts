import { describe, expect, it } from 'vitest';

import { ActionMetrics, renderMetrics } from '../../../reconciler/daemon/metrics.js';
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

describe('Prometheus metrics', () => {
  const now = Date.parse('2026-11-21T10:01:00.000Z');

  it('gives per volume the newest snapshot\'s age, restorable count, pending diff bytes and time since the last success', () => {
    const text = renderMetrics(status(), new ActionMetrics(), now);
    expect(text).toContain('walbctl_snapshot_newest_age_seconds{host="local",volume="demo"} 60.000');
    expect(text).toContain('walbctl_snapshots_restorable{host="local",volume="demo"} 4');
    expect(text).toContain('walbctl_diff_pending_bytes{host="local",volume="demo"} 12288');
    expect(text).toContain('walbctl_reconcile_last_success_age_seconds{host="local",volume="demo"} 30.000');
    expect(text).not.toContain('walbctl_snapshot_newest_age_seconds{host="local",volume="fresh"}');
    expect(text).toContain('walbctl_desired_state_valid{host="local"} 1');
  });

  it('counts actions and their durations by kind and result, as a histogram', () => {
    const m = new ActionMetrics();
    m.record('snapshot', 'done', 0.3);
    m.record('snapshot', 'done', 2);
    m.record('replicate', 'blocked', null);
    const text = renderMetrics(status(), m, now);
    expect(text).toContain('walbctl_actions_total{host="local",kind="snapshot",result="done"} 2');
    expect(text).toContain('walbctl_actions_total{host="local",kind="replicate",result="blocked"} 1');
    expect(text).toContain('walbctl_action_duration_seconds_bucket{host="local",kind="snapshot",result="done",le="0.5"} 1');
    expect(text).toContain('walbctl_action_duration_seconds_bucket{host="local",kind="snapshot",result="done",le="5"} 2');
    expect(text).toContain('walbctl_action_duration_seconds_bucket{host="local",kind="snapshot",result="done",le="+Inf"} 2');
    expect(text).toContain('walbctl_action_duration_seconds_sum{host="local",kind="snapshot",result="done"} 2.300');
    expect(text).not.toContain('walbctl_action_duration_seconds_count{host="local",kind="replicate"');
  });

  it('declares every family once with HELP and TYPE, and escapes label values', () => {
    const s = status();
    s.host = 'we"ird\\host';
    const text = renderMetrics(s, new ActionMetrics(), now);
    const types = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    expect(new Set(types).size).toBe(types.length);
    expect(text).toContain('host="we\\"ird\\\\host"');
  });
});
