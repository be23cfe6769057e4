/**
 * A truncated wlog: `wlog to-wdiff` and `wlog apply` use it up to its last whole logpack, as before,
 * and now say where it ended — on stderr and in --json — instead of exiting 0 silently.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { showWlog } from '../../../../../native/lib/index.js';
import { vectorsDir, walbctl } from '../../../../helpers/cli.js';

describe('a truncated wlog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-torn-'));
  const whole = join(vectorsDir, 'a4k.wlog');
  const torn = join(dir, 'torn.wlog');

  it('is converted and applied up to its last whole logpack, and both commands say "torn tail at byte N: M logpacks used"', async () => {
    const packs = (await showWlog(whole)).packs;
    expect(packs.length).toBeGreaterThanOrEqual(3);
    // Cut inside the third logpack's data: two whole logpacks remain.
    const cut = packs[2]!.fileOffset + 4096 + 100;
    writeFileSync(torn, readFileSync(whole).subarray(0, cut));
    const out = join(dir, 'o.wdiff');
    const conv = await walbctl(['wlog', 'to-wdiff', torn, '-o', out, '--json']);
    expect(conv.code).toBe(0);
    expect(conv.stderr).toMatch(new RegExp(`torn\\.wlog: torn tail at byte ${packs[2]!.fileOffset}: 2 logpacks used`));
    expect(JSON.parse(conv.stdout).tornTail).toMatchObject({ file: torn, byte: packs[2]!.fileOffset, logpacks: 2 });
    const target = join(dir, 't.img');
    writeFileSync(target, Buffer.alloc(8 << 20));
    const app = await walbctl(['wlog', 'apply', torn, '--target', target]);
    expect(app.code).toBe(0);
    expect(app.stderr).toContain(`torn tail at byte ${packs[2]!.fileOffset}: 2 logpacks used`);
    expect(statSync(target).size).toBe(8 << 20);
  });

  it('says nothing of a tail when the log ends whole', async () => {
    const conv = await walbctl(['wlog', 'to-wdiff', whole, '-o', join(dir, 'w.wdiff'), '--json']);
    expect(conv.stderr).toBe('');
    expect(JSON.parse(conv.stdout).tornTail).toBeNull();
  });
});
