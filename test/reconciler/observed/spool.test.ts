import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { addArchive, startVolume } from '../../../native/lib/proxy/archives.js';
import { forwardOnce } from '../../../native/lib/proxy/forward.js';
import { storeBatch } from '../../../native/lib/proxy/receive.js';
import type { DesiredHost } from '../../../reconciler/model/desired.js';
import { observeSpool } from '../../../reconciler/observed/spool.js';
import { describeFillers, spoolFullWarning } from '../../../reconciler/policy/spool.js';
import { spoolLines } from '../../../reconciler/render/spool-text.js';
import { VOLUME_GAUGES } from '../../../reconciler/daemon/metrics.js';
import type { DaemonStatusView } from '../../../reconciler/daemon/status-view.js';
import type { VolumeStatus } from '../../../reconciler/daemon/status-model.js';
import { archiveWithBase, BatchSource, localSender, tempRoot } from '../../native/proxy/_fixture.js';

let t: ReturnType<typeof tempRoot>;
let px: string;

beforeEach(() => {
  t = tempRoot('walbctl-spool-observed-');
  px = join(t.dir, 'px');
});
afterEach(() => t.cleanup());

const proxyHost = (limit: number): DesiredHost => ({ name: 'px-1', dataDir: px, roles: ['proxy'], roleSettings: { proxy: { listen: '127.0.0.1:1', spoolLimitBytes: limit } } }) as unknown as DesiredHost;

/** Volume `vol` spooled for ar-1 and ar-2 with `n` batches stored; returns its source. */
async function spoolVolume(vol: string, n: number, seed: number): Promise<BatchSource> {
  const src = new BatchSource(t.dir, vol, seed);
  for (const a of ['ar-1', 'ar-2']) {
    await archiveWithBase(join(t.dir, a), vol, src.uuid);
    await addArchive(px, vol, { host: a });
  }
  await startVolume(px, vol);
  for (let i = 0; i < n; i++) {
    const b = await src.next({ explicit: false });
    await storeBatch(px, b.meta, b.wlog, { limitBytes: 1 << 30 });
  }
  return src;
}

describe("a proxy host's queues as observed state", () => {
  it('reports per volume and archive the diffs and bytes queued, the oldest gid and age, forwarding, and the last error', async () => {
    await spoolVolume('a', 3, 1);
    // ar-2 takes everything; ar-1 refuses with a stop-and-report reject and is halted.
    for (let i = 0; i < 5 && (await forwardOnce(px, 'a', 'ar-2', localSender(t.dir))).kind === 'sent'; i++);
    const refuse = async (): Promise<void> => {
      throw Object.assign(new Error('the archive lacks the volume'), { policy: 'stop-and-report', reject: 'not-found' });
    };
    expect(await forwardOnce(px, 'a', 'ar-1', refuse)).toMatchObject({ kind: 'halted' });

    const seen = await observeSpool(proxyHost(1 << 30), [{ volume: 'a', archive: 'ar-2', lastError: 'connect ECONNREFUSED 127.0.0.1:9' }], Date.now() + 5000);
    const a = seen.a!;
    expect(a).toMatchObject({ state: 'Started', receivedGid: 3, limitBytes: 1 << 30, full: false });
    expect(a.bytes).toBeGreaterThan(0);
    expect(a.spoolBytes).toBe(a.bytes);
    const [ar1, ar2] = a.queues;
    expect(ar1).toMatchObject({ archive: 'ar-1', diffs: 3, oldestGid: 0, forwarding: 'halted' });
    expect(ar1!.bytes).toBe(a.bytes);
    expect(ar1!.oldestAgeSeconds).toBeGreaterThanOrEqual(5);
    expect(ar1!.lastError).toMatch(/^not-found: .*the archive lacks the volume/);
    // An empty queue: nothing oldest; the forwarding loop's error is carried.
    expect(ar2).toMatchObject({ archive: 'ar-2', diffs: 0, bytes: 0, oldestGid: null, oldestAgeSeconds: null, forwarding: 'started', lastError: 'connect ECONNREFUSED 127.0.0.1:9' });
  });

  it('says the spool is full and which volume fills it, in the plan warning, the status table and the metrics', async () => {
    await spoolVolume('small', 1, 2);
    await spoolVolume('big', 4, 3);
    const all = await observeSpool(proxyHost(1 << 30), [], Date.now());
    const used = all.big!.spoolBytes;
    expect(all.big!.full).toBe(false);
    expect(spoolFullWarning(all)).toBeNull();

    // A limit just above what is queued: at least 90 % of it used.
    const spools = await observeSpool(proxyHost(Math.floor(used * 1.05)), [], Date.now());
    expect(spools.big!.full && spools.small!.full).toBe(true);
    const warning = spoolFullWarning(spools)!;
    expect(warning).toMatch(/^the proxy's spool is full \(.* MiB of its .* MiB limit, 9\d %\): new batches are refused \(no-space\)/);
    // Largest first, with its queues.
    expect(describeFillers(spools)).toMatch(/^big .* MiB \(ar-1 4 diffs .*oldest gid 0.*; ar-2 4 diffs .*\), small .* MiB \(ar-1 1 diff /);
    expect(warning).toContain(describeFillers(spools));

    const status = { volumes: { big: { spool: spools.big }, small: { spool: spools.small } } } as unknown as DaemonStatusView;
    const lines = spoolLines(status);
    expect(lines[0]).toMatch(/^Spool .* MiB of .* MiB \(9\d %\): FULL, batches refused; filled by big /);
    expect(lines[1]).toMatch(/^\s+SPOOL\s+ARCHIVE\s+STATE\s+DIFFS\s+BYTES\s+OLDEST GID\s+AGE\s+FORWARDING\s+LAST ERROR$/);
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/).slice(0, 4))).toEqual([
      ['big', 'ar-1', 'Started', '4'], ['big', 'ar-2', 'Started', '4'], ['small', 'ar-1', 'Started', '1'], ['small', 'ar-2', 'Started', '1'],
    ]);

    const gauge = (name: string, v: VolumeStatus) => VOLUME_GAUGES.find((g) => g.name === name)!.samples(v, Date.now());
    const big = { spool: spools.big } as unknown as VolumeStatus;
    expect(gauge('walbctl_proxy_spool_full', big)).toEqual([{ value: 1 }]);
    expect(gauge('walbctl_proxy_queue_diffs', big)).toEqual([{ labels: { archive: 'ar-1' }, value: 4 }, { labels: { archive: 'ar-2' }, value: 4 }]);
    expect(gauge('walbctl_proxy_forwarding', big)).toEqual([{ labels: { archive: 'ar-1' }, value: 1 }, { labels: { archive: 'ar-2' }, value: 1 }]);
    expect(gauge('walbctl_proxy_spool_bytes', big)).toEqual([{ value: spools.big!.bytes }]);
  });
});
