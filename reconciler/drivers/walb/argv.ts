/**
 * The walbc command for each plan action (WalB's controller vocabulary, `../../../../shared/spec/walb-model.md`).
 * Pure: an action in, argv out (after the server arguments); null for actions WalB has no one command for.
 * Argument forms of walbc 1.0.19 (command_param_parser.cpp, host_info.cpp), each checked against the
 * real walbc in test/reconciler/drivers/walb/:
 *   replicate VOL gid GID ADDR:PORT DORESYNC DONTMERGE CMPR:LEVEL:CPUS   (on the sending walb-archive;
 *             DORESYNC 1 lets it fall back to a full or hash resync, as WalB's own `replicate -resync`)
 *   merge VOL GIDB gid GIDE, apply VOL GID, restore VOL GID, del-restored VOL GID
 * `synchronize` runs the same replicate (the walb-proxies are told apart, replicate.ts).
 */
import type { PlanAction } from '../../model/plan.js';
import { numberParam, stringParam } from '../params.js';

export interface WalbcArgsOptions {
  /** The storage's walb device (init-vol on a walb-storage). */
  wdevPath?: string;
  /** `ADDR:PORT` of the receiving walb-archive (replicate, synchronize). */
  replicaAddress?: string;
}

export function walbcArgs(action: PlanAction, vol: string, options: WalbcArgsOptions = {}): string[] | null {
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
    case 'replicate':
    case 'synchronize':
      return options.replicaAddress ? replicateArgs(action, vol, options.replicaAddress) : null;
    case 'verify-restore':
    case 'stop-synchronize':
    case 'release-replica':
      return null;
  }
}

/** WalB's compression option for the tree's codec (none, lz4, zstd; walbc 1.0.19 takes all three). */
export function walbCompression(codec: string | null): string {
  return `${codec ?? 'snappy'}:0:1`;
}

function replicateArgs(action: PlanAction, vol: string, address: string): string[] {
  const gid = String(numberParam(action, 'toGid'));
  // A diff the planner predicted needs no resync; anything else (full, hash, not known) lets WalB choose.
  const resync = action.params.method === 'diff' ? '0' : '1';
  const codec = typeof action.params.compression === 'string' ? action.params.compression : null;
  return ['replicate', vol, 'gid', gid, address, resync, '0', walbCompression(codec)];
}
