/**
 * The registry of transfer kinds. A kind is served by the receiving server; each lives in its own
 * file and registers itself when imported, so a new kind (ship's log batches, repl's replication)
 * never edits this file or the server: `registerKind({ name, serve })` and import it once.
 */
import type { Logger } from './log.js';
import type { WireRequest } from './messages.js';
import type { WireSession } from './session.js';
import type { TransferBoard } from './transfers-board.js';

export interface ServeContext {
  session: WireSession;
  request: WireRequest;
  /** The data directory of the host this server serves. */
  dataDir: string;
  log: Logger;
  /** Where running transfers publish their progress (status calls read it). */
  board: TransferBoard;
}

export interface TransferKind {
  name: string;
  /**
   * Answers one request: `session.send({t:'accept', ...})` then the kind's exchange, or throw
   * WireReject(code, detail) to refuse (the server sends the reject and logs it).
   */
  serve(ctx: ServeContext): Promise<void>;
}

const kinds = new Map<string, TransferKind>();

export function registerKind(kind: TransferKind): void {
  const had = kinds.get(kind.name);
  if (had && had !== kind) throw new Error(`wire transfer kind "${kind.name}" is registered twice`);
  kinds.set(kind.name, kind);
}

export function findKind(name: string): TransferKind | undefined {
  return kinds.get(name);
}

export function kindNames(): string[] {
  return [...kinds.keys()].sort();
}
