/**
 * The walbc command for each plan action (WalB's controller vocabulary, `../../../../shared/spec/walb-model.md`).
 * Pure: an action in, argv out (after the server arguments); null for actions WalB has no one command for.
 */
import type { PlanAction } from '../../model/plan.js';
import { numberParam, stringParam } from '../params.js';

export function walbcArgs(action: PlanAction, vol: string, options: { wdevPath?: string } = {}): string[] | null {
  switch (action.kind) {
    case 'init':
      return action.params.role === 'storage' && options.wdevPath ? ['init-vol', vol, options.wdevPath] : ['init-vol', vol];
    case 'full-backup':
      return ['full-bkp', vol];
    case 'hash-backup':
      return ['hash-bkp', vol];
    case 'snapshot':
      return ['snapshot', vol];
    case 'start':
      return action.params.role === 'storage' ? ['start', vol, 'target'] : ['start', vol];
    case 'add-destination':
      return ['archive-info', 'add', vol, stringParam(action, 'to'), stringParam(action, 'address')];
    case 'delete-destination':
      return ['archive-info', 'delete', vol, stringParam(action, 'to')];
    case 'stop':
      return ['stop', vol];
    case 'clear':
      return ['clear-vol', vol];
    case 'restore':
      return ['restore', vol, String(numberParam(action, 'gid'))];
    case 'delete-restore':
      return ['del-restored', vol, String(numberParam(action, 'gid'))];
    case 'apply':
      return ['apply', vol, String(numberParam(action, 'gid'))];
    case 'merge':
      return ['merge', vol, String(numberParam(action, 'gidB')), 'gid', String(numberParam(action, 'gidE'))];
    case 'verify-restore':
    case 'replicate':
    case 'synchronize':
    case 'stop-synchronize':
    case 'release-replica':
      return null;
  }
}
