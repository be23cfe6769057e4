// The spool's usage (native/lib/proxy/usage.ts): every distinct file of master/, incoming/ and the
// queues once (hard links once), with directories not read again while their mtime is what it was
// — except where that could hide a change: a listing made within 2 s of the mtime, one holding a
// temporary file, and incoming/.
import { appendFileSync, linkSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { spoolRoot } from '../../../native/lib/proxy/layout.js';
import { spoolUsage, usageScans } from '../../../native/lib/proxy/usage.js';
import { tempRoot } from './_fixture.js';

let t: ReturnType<typeof tempRoot>;
let data: string;

/** Every directory below the spool (and the spool itself) dated `secondsAgo` back. */
function age(secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    utimesSync(dir, when, when);
  };
  walk(spoolRoot(data));
}

/** The usage counted the plain way: every file stat'ed, hard links once. */
function recount(): Record<string, { bytes: number; files: number }> {
  const out: Record<string, { bytes: number; files: number }> = {};
  for (const vol of readdirSync(spoolRoot(data))) {
    const seen = new Set<number>();
    const v = { bytes: 0, files: 0 };
    const dirs = [join(spoolRoot(data), vol, 'master'), join(spoolRoot(data), vol, 'incoming')];
    const queue = join(spoolRoot(data), vol, 'queue');
    for (const q of readdirSync(queue)) dirs.push(join(queue, q));
    for (const d of dirs) {
      let names: string[] = [];
      try {
        names = readdirSync(d);
      } catch {
        continue;
      }
      for (const n of names) {
        const st = statSync(join(d, n));
        if (!st.isFile() || seen.has(st.ino)) continue;
        seen.add(st.ino);
        v.bytes += st.size;
        v.files++;
      }
    }
    out[vol] = v;
  }
  return out;
}

beforeEach(() => {
  t = tempRoot('walbctl-usage-');
  data = join(t.dir, 'px');
  for (const vol of ['a', 'b']) {
    const q1 = join(spoolRoot(data), vol, 'queue', 'ar-1');
    const q2 = join(spoolRoot(data), vol, 'queue', 'ar-2');
    mkdirSync(q1, { recursive: true });
    mkdirSync(q2, { recursive: true });
    mkdirSync(join(spoolRoot(data), vol, 'master'), { recursive: true });
    mkdirSync(join(spoolRoot(data), vol, 'incoming'), { recursive: true });
    for (let i = 0; i < 5; i++) {
      writeFileSync(join(q1, `d${i}.wdiff`), Buffer.alloc(1000 * (i + 1)));
      linkSync(join(q1, `d${i}.wdiff`), join(q2, `d${i}.wdiff`));
    }
  }
});
afterEach(() => t.cleanup());

describe('the spool usage', () => {
  it('counts every distinct file once, as a plain recount does, and reads no unchanged directory again', async () => {
    age(10);
    const first = await spoolUsage(data);
    expect(first.volumes).toEqual(recount());
    expect(first.volumes.a).toEqual({ bytes: 15_000, files: 5 });
    expect(first.totalBytes).toBe(30_000);
    const before = usageScans.dirs;
    expect((await spoolUsage(data)).volumes).toEqual(first.volumes);
    // Only the two incoming/ directories are read again.
    expect(usageScans.dirs - before).toBe(2);
  });

  it('sees a diff queued, a queue emptied and a new volume at once', async () => {
    age(10);
    await spoolUsage(data);
    writeFileSync(join(spoolRoot(data), 'a', 'queue', 'ar-1', 'new.wdiff'), Buffer.alloc(777));
    for (const n of readdirSync(join(spoolRoot(data), 'b', 'queue', 'ar-2'))) unlinkSync(join(spoolRoot(data), 'b', 'queue', 'ar-2', n));
    mkdirSync(join(spoolRoot(data), 'c', 'queue', 'ar-1'), { recursive: true });
    writeFileSync(join(spoolRoot(data), 'c', 'queue', 'ar-1', 'x.wdiff'), Buffer.alloc(5));
    const u = await spoolUsage(data);
    expect(u.volumes).toEqual(recount());
    expect(u.volumes.a).toEqual({ bytes: 15_777, files: 6 });
    // b's files are still in ar-1's queue (the links in ar-2's were removed).
    expect(u.volumes.b).toEqual({ bytes: 15_000, files: 5 });
    expect(u.volumes.c).toEqual({ bytes: 5, files: 1 });
    rmSync(join(spoolRoot(data), 'c'), { recursive: true });
    expect((await spoolUsage(data)).volumes.c).toBeUndefined();
    // Its listings went with it: made again, c is read afresh.
    age(10);
    mkdirSync(join(spoolRoot(data), 'c', 'queue', 'ar-1'), { recursive: true });
    const before = usageScans.dirs;
    expect((await spoolUsage(data)).volumes.c).toEqual({ bytes: 0, files: 0 });
    expect(usageScans.dirs - before).toBeGreaterThanOrEqual(2);
  });

  it('reads again a directory listed within 2 s of its change, which a second change in the same tick would not move', async () => {
    const q = join(spoolRoot(data), 'a', 'queue', 'ar-1');
    const tick = new Date();
    utimesSync(q, tick, tick);
    await spoolUsage(data);
    // A file added "in the same clock tick": the directory's mtime is set back to what it was.
    writeFileSync(join(q, 'same-tick.wdiff'), Buffer.alloc(321));
    utimesSync(q, tick, tick);
    expect((await spoolUsage(data)).volumes.a).toEqual({ bytes: 15_321, files: 6 });
  });

  it('follows a temporary file that grows without changing its directory, and a partial transfer in incoming/', async () => {
    age(10);
    const tmp = join(spoolRoot(data), 'a', 'master', '.tmp-x.wdiff.1.abcd');
    writeFileSync(tmp, Buffer.alloc(100));
    const part = join(spoolRoot(data), 'b', 'incoming', 'stream.part');
    writeFileSync(part, Buffer.alloc(50));
    age(10);
    expect((await spoolUsage(data)).volumes).toMatchObject({ a: { bytes: 15_100, files: 6 }, b: { bytes: 15_050, files: 6 } });
    appendFileSync(tmp, Buffer.alloc(900));
    appendFileSync(part, Buffer.alloc(950));
    expect((await spoolUsage(data)).volumes).toMatchObject({ a: { bytes: 16_000, files: 6 }, b: { bytes: 16_000, files: 6 } });
  });
});
