import { describe, expect, it } from 'vitest';

import { CONDITION_REASONS, conditionsFor, type VolumeOutcome } from '../../../reconciler/daemon/conditions.js';

const t0 = '2026-11-21T10:00:00.000Z';
const t1 = '2026-11-21T10:05:00.000Z';
const get = (list: ReturnType<typeof conditionsFor>, type: string) => list.find((c) => c.type === type)!;

describe('volume conditions', () => {
  it.each<[string, VolumeOutcome, Record<string, [string, string]>]>([
    ['a converged volume is Ready', { kind: 'succeeded', message: 'up to date' }, { Ready: ['True', 'ReconciliationSucceeded'], Reconciling: ['False', 'ReconciliationSucceeded'], Stalled: ['False', 'ReconciliationSucceeded'] }],
    ['a running action makes it Reconciling', { kind: 'progressing', message: 'running snapshot' }, { Ready: ['Unknown', 'Progressing'], Reconciling: ['True', 'Progressing'] }],
    ['a failed action is retried', { kind: 'failed', message: 'x', retryAt: t1 }, { Ready: ['False', 'ActionFailed'], Reconciling: ['True', 'ProgressingWithRetry'], Stalled: ['False', 'ProgressingWithRetry'] }],
    ['a refused destruction stalls it', { kind: 'stuck', reason: 'DestroyNotAllowed', message: 'x' }, { Ready: ['False', 'DestroyNotAllowed'], Stalled: ['True', 'DestroyNotAllowed'] }],
    ['a blocked action stalls it', { kind: 'stuck', reason: 'Blocked', message: 'x' }, { Stalled: ['True', 'Blocked'] }],
    ['a held lock keeps it Reconciling', { kind: 'locked', message: 'x' }, { Ready: ['Unknown', 'HostLocked'], Reconciling: ['True', 'HostLocked'] }],
    ['a suspended volume is not reconciled', { kind: 'suspended' }, { Ready: ['Unknown', 'Suspended'], Reconciling: ['False', 'Suspended'] }],
  ])('%s', (_name, outcome, expected) => {
    const list = conditionsFor(outcome, { previous: [], now: t0, invalid: null });
    expect(list.map((c) => c.type)).toEqual(['Ready', 'Reconciling', 'Stalled']);
    for (const [type, [status, reason]] of Object.entries(expected)) expect(get(list, type)).toMatchObject({ status, reason });
    for (const c of list) expect(CONDITION_REASONS).toContain(c.reason);
  });

  it('turns Stalled on with the diagnostics when the newest revision does not validate', () => {
    const list = conditionsFor({ kind: 'succeeded', message: 'up to date' }, { previous: [], now: t0, invalid: 'hosts/local.yaml:3:1: error: bad' });
    expect(get(list, 'Stalled')).toMatchObject({ status: 'True', reason: 'InvalidDesiredState', message: 'hosts/local.yaml:3:1: error: bad' });
    expect(get(list, 'Ready').status).toBe('True');
  });

  it('keeps lastTransitionTime while status and reason stay, and moves it when they change', () => {
    const first = conditionsFor({ kind: 'succeeded', message: 'a' }, { previous: [], now: t0, invalid: null });
    const same = conditionsFor({ kind: 'succeeded', message: 'b' }, { previous: first, now: t1, invalid: null });
    expect(get(same, 'Ready').lastTransitionTime).toBe(t0);
    expect(get(same, 'Ready').message).toBe('b');
    const changed = conditionsFor({ kind: 'failed', message: 'x', retryAt: t1 }, { previous: same, now: t1, invalid: null });
    expect(get(changed, 'Ready').lastTransitionTime).toBe(t1);
  });
});
