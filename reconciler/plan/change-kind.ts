/**
 * How each action kind shows in a plan: `+` create, `~` change in place, `-` destroy, `>` a data-path
 * action that changes no configuration. Fixed per kind so renderers and counts never guess.
 */
import type { ActionKind, ChangeKind } from '../model/plan.js';

export const CHANGE_OF: Record<ActionKind, ChangeKind> = {
  init: 'create',
  'full-backup': 'data',
  'hash-backup': 'data',
  snapshot: 'data',
  merge: 'data',
  apply: 'data',
  restore: 'create',
  'verify-restore': 'data',
  'delete-restore': 'delete',
  replicate: 'data',
  synchronize: 'create',
  'stop-synchronize': 'update',
  'release-replica': 'update',
  'add-destination': 'create',
  'delete-destination': 'delete',
  start: 'update',
  stop: 'update',
  clear: 'delete',
};
