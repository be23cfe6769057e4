import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { JournalCorruptError } from '../../../reconciler/apply/errors.js';
import { JournalWriter, readJournal } from '../../../reconciler/apply/journal.js';
import { plan } from './fake-driver.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'walbctl-journal-')), 'journal.jsonl');
const head = { t: 'plan' as const, at: '2026-11-21T10:00:00.000Z', runId: 'r1', allowDestroy: false, plan: plan([]) };

describe('the apply journal', () => {
  it('reads back what was appended, and says it ended once an end record is there', async () => {
    const f = file();
    const w = await JournalWriter.create(f, head);
    await w.append({ t: 'start', at: head.at, id: 'a' });
    await w.append({ t: 'done', at: head.at, id: 'a', ms: 1, outcome: null });
    expect((await readJournal(f))?.ended).toBe(false);
    await w.append({ t: 'end', at: head.at, result: 'ok' });
    await w.close();
    const j = await readJournal(f);
    expect(j?.ended).toBe(true);
    expect([...(j?.done ?? [])]).toEqual(['a']);
    expect(j?.runId).toBe('r1');
  });

  it('reports a bad line that is not the last one as corruption with its line number', async () => {
    const f = file();
    writeFileSync(f, JSON.stringify(head) + '\n{oops\n' + JSON.stringify({ t: 'end', at: head.at, result: 'ok' }) + '\n');
    const error = await readJournal(f).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect((error as Error).message).toContain(`${f}:2:`);
  });

  it('is absent when there is no file', async () => {
    expect(await readJournal(file())).toBeNull();
  });
});
