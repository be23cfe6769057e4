/**
 * The wire's transfer kinds, each mapped to the operation the tree authorizes (authorize.ts). A kind
 * not listed here is refused: a new kind gets its rule here before any host accepts it.
 */
import type { WireOperation } from './authorize.js';

const KIND_OPERATION: Record<string, WireOperation> = {
  status: 'status',
  'full-backup': 'full-backup',
  'hash-backup': 'hash-backup',
  'hash-index': 'hash-backup',
  diff: 'diff',
  'log-batch': 'diff',
  replicate: 'replicate',
  restore: 'restore',
};

export function operationOf(kind: string): WireOperation | null {
  return Object.hasOwn(KIND_OPERATION, kind) ? KIND_OPERATION[kind]! : null;
}
