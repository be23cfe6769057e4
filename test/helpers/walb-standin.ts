/**
 * A stand-in WalB server for tests: it speaks WalB's command protocol (walbctl's dialect code in
 * native/lib/wire/walb: the first negotiation, the parameters as a string vector, the answers in
 * cybozu's serializer) so the REAL walbc runs a command end to end against it — walbc's own argument
 * checks included (`get`'s are made after the negotiation) — and the driver parses what walbc prints.
 * It is not walb-storage or walb-archive: what it answers is the test's script, in the text forms
 * WalB's servers produce (walb-tools 1.0.19 source). walb-storage/archive themselves cannot run here.
 *
 * The answers, per protocol (walb-tools controller.hpp / protocol.cpp):
 *   get           params → "ok", the value (size_t, string or string vector, by the target), the ack
 *   snapshot      params → "ok", the gid (u64)
 *   init-vol, clear-vol, reset-vol, start, del-restored, kick   params → "ok"
 *   stop, full-bkp, hash-bkp, restore, replicate, apply, merge   params → "accept"
 * An error is the error text in place of the first answer (walbc then fails with it).
 */
import { WalbConn } from '../../native/lib/wire/walb/conn.js';
import { Encoder } from '../../native/lib/wire/walb/cybozu.js';
import { ackBytes } from '../../native/lib/wire/walb/negotiate.js';
import { startWalbServer, type RunningWalbServer } from '../../native/lib/wire/walb/server.js';
import type { WalbServer } from '../../reconciler/drivers/walb/walbc.js';

/** What the script answers: a value for `get`/`snapshot`, nothing for a task, or WalB's error text. */
export type StandinAnswer = { value?: string | number | string[] } | { error: string };
export type StandinScript = (command: string, params: string[]) => StandinAnswer;

/** `get` targets whose value is a size_t / a string (the rest are string vectors), as walbc reads them. */
const SIZE_TARGETS = new Set(['is-overflow', 'is-wdiff-send-error', 'num-action', 'pid', 'total-diff-size', 'num-diff', 'exists-diff', 'exists-base-image', 'vol-size', 'progress']);
const STRING_TARGETS = new Set(['state', 'host-type', 'uuid', 'archive-uuid', 'base', 'volume-group', 'thinpool', 'meta-snap', 'meta-state']);
const OK_COMMANDS = ['init-vol', 'clear-vol', 'reset-vol', 'start', 'del-restored', 'kick'];
const ACCEPT_COMMANDS = ['stop', 'full-bkp', 'hash-bkp', 'restore', 'replicate', 'apply', 'merge'];

async function readStrings(c: WalbConn): Promise<string[]> {
  const n = await c.num('parameter count');
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await c.string(`parameter ${i}`));
  return out;
}

export interface RunningStandin {
  server: WalbServer;
  /** Every command walbc sent, in order: the protocol name and its parameters. */
  calls: { command: string; params: string[] }[];
  close(): Promise<void>;
}

export async function startWalbStandin(script: StandinScript, options: { nodeId?: string } = {}): Promise<RunningStandin> {
  const calls: RunningStandin['calls'] = [];
  const handler = (command: string) => async (c: WalbConn): Promise<void> => {
    const params = await readStrings(c);
    calls.push({ command, params });
    const a = script(command, params);
    if ('error' in a) return c.writeFin(new Encoder().string(a.error).bytes());
    const e = new Encoder();
    if (command === 'get') {
      e.string('ok');
      const target = params[0] ?? '';
      const v = a.value ?? '';
      if (SIZE_TARGETS.has(target)) e.u64(Number(v));
      else if (STRING_TARGETS.has(target)) e.string(String(v));
      else e.strings(Array.isArray(v) ? v : String(v) === '' ? [] : String(v).split('\n'));
      e.raw(ackBytes());
    } else if (command === 'snapshot') {
      e.string('ok').u64(Number(a.value));
    } else {
      e.string(OK_COMMANDS.includes(command) ? 'ok' : 'accept');
    }
    return c.writeFin(e.bytes());
  };
  const handlers = Object.fromEntries(['get', 'snapshot', ...OK_COMMANDS, ...ACCEPT_COMMANDS].map((name) => [name, handler(name)]));
  const running: RunningWalbServer = await startWalbServer({ host: '127.0.0.1', port: 0, nodeId: options.nodeId ?? 'standin', handlers, idleMs: 10_000 });
  return { server: { address: '127.0.0.1', port: running.port }, calls, close: () => running.close() };
}
