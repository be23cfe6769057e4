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
    ['a suspended volume is not reconciled', { kind: 'suspended' }, { Ready: ['False', 'Suspended'], Reconciling: ['False', 'Suspended'], Stalled: ['True', 'Suspended'] }],
  ])('%s', (_name, outcome, expected) => {
    const list = conditionsFor(outcome, { previous: [], now: t0, invalid: null });
    expect(list.map((c) => c.type)).toEqual(['Ready', 'Reconciling', 'Stalled']);
    for (const [type, [status, reason]] of Object.entries(expected)) expect(get(list, type)).toMatchObject({ status, reason });
    for (const c of list) expect(CONDITION_REASONS).toContain(c.reason);
  });

  const outcomes: [string, VolumeOutcome][] = [
    ['pending', { kind: 'pending' }],
    ['progressing', { kind: 'progressing', message: 'running snapshot' }],
    ['succeeded', { kind: 'succeeded', message: 'up to date' }],
    ['failed', { kind: 'failed', message: 'snapshot failed: EIO', retryAt: t1 }],
    ['stuck', { kind: 'stuck', reason: 'Blocked', message: 'x: needs the transport' }],
    ['suspended', { kind: 'suspended' }],
    ['locked', { kind: 'locked', message: 'held by pid 1' }],
    ['no-valid-revision', { kind: 'no-valid-revision', message: 'nothing validated' }],
  ];
  it.each(outcomes.flatMap(([name, o]) => [[name, o, null], [`${name} with an invalid newest commit`, o, 'main@sha1:bbb does not validate']] as [string, VolumeOutcome, string | null][]))(
    'has exactly one of Ready, Reconciling and Stalled True: %s',
    (_name, outcome, invalid) => {
      const list = conditionsFor(outcome, { previous: [], now: t0, invalid });
      expect(list.filter((c) => c.status === 'True').map((c) => c.type)).toHaveLength(1);
    },
  );

  it('is Stalled with InvalidDesiredState, not Ready, once a pass settles while the newest revision does not validate, and says how it stands at the last good one', () => {
    const list = conditionsFor({ kind: 'succeeded', message: 'up to date with main@sha1:aaa' }, { previous: [], now: t0, invalid: 'hosts/local.yaml:3:1: error: bad; converging to main@sha1:aaa' });
    expect(get(list, 'Stalled')).toMatchObject({ status: 'True', reason: 'InvalidDesiredState', message: 'hosts/local.yaml:3:1: error: bad; converging to main@sha1:aaa; at the last good revision: up to date with main@sha1:aaa' });
    expect(get(list, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidDesiredState' });
    expect(get(list, 'Reconciling').status).toBe('False');
  });

  it('stays Reconciling while it converges to the last good revision, and says so', () => {
    const list = conditionsFor({ kind: 'progressing', message: 'running snapshot' }, { previous: [], now: t0, invalid: 'converging to main@sha1:aaa' });
    expect(get(list, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Progressing', message: 'running snapshot; converging to main@sha1:aaa' });
    expect(get(list, 'Stalled').status).toBe('False');
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
