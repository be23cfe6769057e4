/**
 * The apply journal: one JSON record per line, appended and fsynced before the executor moves on.
 * A plan record opens it (the whole plan, so a crash can be rolled forward without re-planning),
 * then start/done/failed/skipped records per action, then an end record. A journal without an end
 * record belongs to a run that crashed: the next run resumes it. A torn last line (the crash hit
 * mid-append) is the end of the journal; any other unreadable line is corruption.
 */
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { Plan } from '../model/plan.js';
import { atomicWriteFile } from '../../common/atomic-write.js';
import { JournalCorruptError } from './errors.js';

export type ActionStatus = 'done' | 'failed' | 'blocked' | 'refused' | 'skipped';

export type JournalRecord =
  | { t: 'plan'; at: string; runId: string; allowDestroy: boolean; plan: Plan }
  | { t: 'start'; at: string; id: string }
  | { t: 'done'; at: string; id: string; ms: number; outcome: Record<string, unknown> | null }
  | { t: 'failed'; at: string; id: string; ms: number; error: { code: string; message: string; retryable: boolean } }
  | { t: 'skipped'; at: string; id: string; status: 'blocked' | 'refused' | 'skipped'; message: string }
  | { t: 'resume'; at: string; pid: number }
  | { t: 'end'; at: string; result: 'ok' | 'failed' | 'incomplete' | 'interrupted' };

export interface JournalContents {
  runId: string;
  plan: Plan;
  allowDestroy: boolean;
  records: JournalRecord[];
  /** True when an end record closes it. */
  ended: boolean;
  /** Ids of actions recorded as done. */
  done: Set<string>;
}

/** Reads the journal; null when there is none. */
export async function readJournal(file: string): Promise<JournalContents | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch (error) {
      const isTornTail = lines.slice(i + 1).every((l) => l === '') && !text.endsWith('\n');
      if (isTornTail) break;
      throw new JournalCorruptError(file, i + 1, (error as Error).message);
    }
  }
  if (records.length === 0) return null;
  const head = records[0];
  if (head.t !== 'plan') throw new JournalCorruptError(file, 1, `expected a plan record, found "${head.t}"`);
  const done = new Set<string>();
  for (const r of records) if (r.t === 'done') done.add(r.id);
  return {
    runId: head.runId,
    plan: head.plan,
    allowDestroy: head.allowDestroy,
    records,
    ended: records.some((r) => r.t === 'end'),
    done,
  };
}

/** An open journal: every append is on disk before it returns. */
export class JournalWriter {
  private constructor(private readonly handle: FileHandle) {}

  /** Starts a new journal for `plan`, replacing a finished one atomically. */
  static async create(file: string, head: Extract<JournalRecord, { t: 'plan' }>): Promise<JournalWriter> {
    await mkdir(dirname(file), { recursive: true });
    await atomicWriteFile(file, JSON.stringify(head) + '\n');
    return new JournalWriter(await open(file, 'a'));
  }

  /** Continues an unfinished journal (after a crash). */
  static async reopen(file: string): Promise<JournalWriter> {
    const handle = await open(file, 'r+');
    const { size } = await handle.stat();
    // Cut a torn last line so the next record starts on its own line.
    if (size > 0) {
      const text = await readFile(file, 'utf8');
      const keep = text.endsWith('\n') ? text.length : text.lastIndexOf('\n') + 1;
      if (keep !== text.length) {
        await handle.truncate(Buffer.byteLength(text.slice(0, keep)));
        await handle.sync();
      }
    }
    await handle.close();
    return new JournalWriter(await open(file, 'a'));
  }

  async append(record: JournalRecord): Promise<void> {
    await this.handle.write(JSON.stringify(record) + '\n');
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * Moves an unreadable journal aside (`journal.jsonl` → `journal.corrupt-<time>.jsonl`) so the next
 * run plans afresh from what it observes; returns the new name.
 */
export async function setJournalAside(file: string, now: Date = new Date()): Promise<string> {
  const aside = file.replace(/\.jsonl$/, '') + `.corrupt-${now.toISOString().replace(/[:.]/g, '-')}.jsonl`;
  await rename(file, aside);
  return aside;
}
