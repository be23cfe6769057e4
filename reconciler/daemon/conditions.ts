/**
 * Per-volume status conditions, Flux style: `Ready`, `Reconciling`, `Stalled`, each with a status, a
 * reason from a fixed list, a message and the time it last changed. They are derived from one value,
 * the volume's outcome, by one function — so every path (success, failure, invalid commit, lock held,
 * suspend) writes them the same way. As kstatus reads them, exactly one of the three is True at a
 * time: Ready (done), Reconciling (work under way or retried), or Stalled (nothing more happens
 * without someone: consent, a transport, a commit that validates, `suspend` removed).
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
  /** An action would write or delete a file the reconciler did not make (not in its inventory), or one
   *  another volume declares: refused whatever the consent; the operator moves the file or the path. */
  'NotOwned',
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
  | { kind: 'stuck'; reason: 'DestroyNotAllowed' | 'Protected' | 'NotOwned' | 'Blocked'; message: string }
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
      return { Ready: ['False', 'Suspended', 'suspend: true'], Reconciling: ['False', 'Suspended', ''], Stalled: ['True', 'Suspended', 'suspend: true: not reconciled until it is removed'] };
    case 'locked':
      return { Ready: ['Unknown', 'HostLocked', outcome.message], Reconciling: ['True', 'HostLocked', outcome.message], Stalled: ['False', 'HostLocked', ''] };
    case 'no-valid-revision':
      return { Ready: ['False', 'NoValidRevision', outcome.message], Reconciling: ['False', 'NoValidRevision', ''], Stalled: ['True', 'NoValidRevision', outcome.message] };
  }
}

/**
 * While the newest commit does not validate, the volume still converges to the last good revision:
 * work under way stays Reconciling (and says to what it converges); once the pass settles, the volume
 * is not Ready — it cannot reach the newest revision — but Stalled with InvalidDesiredState, the
 * message saying both the diagnostics and how it stands at the last good revision.
 */
function invalidTriples(t: Record<OutcomeConditionType, Triple>, outcome: VolumeOutcome, invalid: string): Record<OutcomeConditionType, Triple> {
  if (t.Reconciling[0] === 'True' && outcome.kind !== 'failed') {
    return { Ready: ['False', 'InvalidDesiredState', invalid], Reconciling: [t.Reconciling[0], t.Reconciling[1], `${t.Reconciling[2]}; ${invalid}`], Stalled: ['False', 'InvalidDesiredState', ''] };
  }
  const standing = t.Ready[2] || t.Stalled[2];
  const message = standing ? `${invalid}; at the last good revision: ${standing}` : invalid;
  return { Ready: ['False', 'InvalidDesiredState', message], Reconciling: ['False', 'InvalidDesiredState', ''], Stalled: ['True', 'InvalidDesiredState', message] };
}

/**
 * The conditions for `outcome`; `invalid` (the newest commit's diagnostics and the revision converged
 * to instead, when it does not validate) makes the settled volume Stalled. Exactly one condition is
 * True. A condition keeps its lastTransitionTime while its status and reason stay the same.
 */
export function conditionsFor(outcome: VolumeOutcome, options: { previous: Condition[]; now: string; invalid: string | null }): Condition[] {
  let t = triples(outcome);
  if (options.invalid !== null && outcome.kind !== 'no-valid-revision') t = invalidTriples(t, outcome, options.invalid);
  return (['Ready', 'Reconciling', 'Stalled'] as const).map((type) => {
    const [status, reason, message] = t[type];
    const before = options.previous.find((c) => c.type === type);
    const same = before && before.status === status && before.reason === reason;
    return { type, status, reason, message, lastTransitionTime: same ? before.lastTransitionTime : options.now };
  });
}
