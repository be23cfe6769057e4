/**
 * Per-volume status conditions, Flux style: `Ready`, `Reconciling`, `Stalled`, each with a status, a
 * reason from a fixed list, a message and the time it last changed. They are derived from one value,
 * the volume's outcome, by one function — so every path (success, failure, invalid commit, lock held,
 * suspend) writes them the same way.
 */

export const CONDITION_REASONS = [
  /** Before the first reconcile of this volume. */
  'Pending',
  /** Actions are running now. */
  'Progressing',
  /** The last reconcile left nothing to do, or did all of it. */
  'ReconciliationSucceeded',
  /** An action failed; it is retried after a backoff. */
  'ProgressingWithRetry',
  'ActionFailed',
  /** The newest commit does not validate: the daemon keeps converging to the last good one. */
  'InvalidDesiredState',
  /** No valid desired state was ever loaded: nothing to converge to. */
  'NoValidRevision',
  /** A destructive action waits for consent (--allow-destroy). */
  'DestroyNotAllowed',
  /** A destructive action was refused on a protected volume. */
  'Protected',
  /** An action cannot run yet (replication before the transport exists). */
  'Blocked',
  /** `suspend: true`. */
  'Suspended',
  /** Someone else (a `walbctl apply`) holds the host lock. */
  'HostLocked',
  /** ReplicationLagging: a replication target lags past the volume's replicationLimit (it is let go). */
  'ReplicaPastLimit',
  /** ReplicationLagging: every replication target is within the volume's limit. */
  'ReplicasWithinLimit',
] as const;
export type ConditionReason = (typeof CONDITION_REASONS)[number];

/** The three kstatus conditions, made from the volume's outcome. */
export type OutcomeConditionType = 'Ready' | 'Reconciling' | 'Stalled';
/** ReplicationLagging (an abnormal-true condition, only on volumes replicating from this host) comes
 *  from the replication pairs (replication-status.ts). */
export type ConditionType = OutcomeConditionType | 'ReplicationLagging';

export interface Condition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: ConditionReason;
  message: string;
  /** UTC, ISO 8601. */
  lastTransitionTime: string;
}

/** What happened to a volume on the latest pass, in the terms conditions are made from. */
export type VolumeOutcome =
  | { kind: 'pending' }
  | { kind: 'progressing'; message: string }
  | { kind: 'succeeded'; message: string }
  | { kind: 'failed'; message: string; retryAt: string }
  | { kind: 'stuck'; reason: 'DestroyNotAllowed' | 'Protected' | 'Blocked'; message: string }
  | { kind: 'suspended' }
  | { kind: 'locked'; message: string }
  | { kind: 'no-valid-revision'; message: string };

type Triple = [Condition['status'], ConditionReason, string];

function triples(outcome: VolumeOutcome): Record<OutcomeConditionType, Triple> {
  switch (outcome.kind) {
    case 'pending':
      return { Ready: ['Unknown', 'Pending', 'not reconciled yet'], Reconciling: ['True', 'Pending', 'waiting for the first pass'], Stalled: ['False', 'Pending', ''] };
    case 'progressing':
      return { Ready: ['Unknown', 'Progressing', outcome.message], Reconciling: ['True', 'Progressing', outcome.message], Stalled: ['False', 'Progressing', ''] };
    case 'succeeded':
      return { Ready: ['True', 'ReconciliationSucceeded', outcome.message], Reconciling: ['False', 'ReconciliationSucceeded', ''], Stalled: ['False', 'ReconciliationSucceeded', ''] };
    case 'failed':
      return {
        Ready: ['False', 'ActionFailed', outcome.message],
        Reconciling: ['True', 'ProgressingWithRetry', `retrying at ${outcome.retryAt}`],
        Stalled: ['False', 'ProgressingWithRetry', ''],
      };
    case 'stuck':
      return { Ready: ['False', outcome.reason, outcome.message], Reconciling: ['False', outcome.reason, ''], Stalled: ['True', outcome.reason, outcome.message] };
    case 'suspended':
      return { Ready: ['Unknown', 'Suspended', 'suspend: true'], Reconciling: ['False', 'Suspended', ''], Stalled: ['False', 'Suspended', ''] };
    case 'locked':
      return { Ready: ['Unknown', 'HostLocked', outcome.message], Reconciling: ['True', 'HostLocked', outcome.message], Stalled: ['False', 'HostLocked', ''] };
    case 'no-valid-revision':
      return { Ready: ['False', 'NoValidRevision', outcome.message], Reconciling: ['False', 'NoValidRevision', ''], Stalled: ['True', 'NoValidRevision', outcome.message] };
  }
}

/**
 * The conditions for `outcome`; `invalid` (the newest commit's diagnostics, when it does not
 * validate) turns Stalled on whatever the outcome. A condition keeps its lastTransitionTime while
 * its status and reason stay the same.
 */
export function conditionsFor(outcome: VolumeOutcome, options: { previous: Condition[]; now: string; invalid: string | null }): Condition[] {
  const t = triples(outcome);
  if (options.invalid !== null) t.Stalled = ['True', 'InvalidDesiredState', options.invalid];
  return (['Ready', 'Reconciling', 'Stalled'] as const).map((type) => {
    const [status, reason, message] = t[type];
    const before = options.previous.find((c) => c.type === type);
    const same = before && before.status === status && before.reason === reason;
    return { type, status, reason, message, lastTransitionTime: same ? before.lastTransitionTime : options.now };
  });
}
