/**
 * The reconciler deletes or overwrites only files it made and recorded (its inventory), never a file
 * another volume declares or one an operator made — on real files, with the native driver.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { readInventory } from '../../../reconciler/apply/inventory.js';
import { walbctlProcess } from '../../helpers/cli.js';
import { localTree, volumeYaml } from './local-tree.js';

const restoreAt = (path: string) => `    restores:\n      - name: r\n        pick: newest\n        path: ${path}\n        verify: false\n`;

describe('ownership of files', () => {
  it('never deletes or adopts a restore image that another volume now declares as its device', async () => {
    const t = localTree(volumeYaml('demo', 'volumes/demo.img', restoreAt('volumes/other.img')));
    const other = join(t.data, 'volumes/other.img');
    for (let i = 0; i < 3 && !existsSync(other); i++) expect((await t.apply()).result).toBe('ok');
    expect(existsSync(other)).toBe(true);
    expect((await readInventory(t.data)).files.map((e) => [e.kind, e.volume, e.path])).toContainEqual(['restore', 'demo', other]);

    // The next commit drops demo's restore and declares volume `other` on the restored image.
    t.write(volumeYaml('demo', 'volumes/demo.img') + volumeYaml('other', 'volumes/other.img'));
    const plan = await t.plan();
    expect(plan.actions.filter((a) => a.kind === 'delete-restore')).toEqual([]);
    expect(plan.diagnostics.map((d) => d.message)).toContain(`${other} holds gid 2 restored by walbctl, and is now volume other's device: walbctl does not delete it`);
    const before = readFileSync(other);
    const report = await t.apply({ allowDestroy: true });
    const init = report.actions.find((a) => a.id === 'local/other:init:storage');
    expect(init).toMatchObject({ status: 'refused' });
    expect(init?.message).toBe(`${other} was written by a restore of demo: it is not taken as other's device (move the image away, or declare another device path)`);
    expect(readFileSync(other).equals(before)).toBe(true);
  });

  it('leaves an operator\'s restore alone, reports it as not managed, and never takes it as a device', async () => {
    const t = localTree(volumeYaml('demo', 'volumes/demo.img'));
    for (let i = 0; i < 2; i++) expect((await t.apply()).result).toBe('ok');
    const manual = join(t.dir, 'r1.img');
    const cli = walbctlProcess(['archive', 'restore', 'demo', '2', '--path', manual, '--data-dir', t.data]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);

    const plan = await t.plan();
    expect(plan.actions.map((a) => a.kind)).not.toContain('delete-restore');
    expect(plan.diagnostics.map((d) => d.message)).toContain(`${manual} holds gid 2, restored by hand (not managed): walbctl leaves it alone`);
    const report = await t.apply({ allowDestroy: true });
    expect(report.result).toBe('ok');
    expect(existsSync(manual)).toBe(true);

    t.write(volumeYaml('demo', 'volumes/demo.img') + volumeYaml('x', manual));
    const adopt = await t.apply();
    expect(adopt.actions.find((a) => a.id === 'local/x:init:storage')).toMatchObject({ status: 'refused', message: expect.stringContaining(`${manual} was written by a restore: it is not taken as x's device`) });
  });

  it('restores onto no file it did not make, and deletes only the images it made', async () => {
    const t = localTree(volumeYaml('demo', 'volumes/demo.img'));
    for (let i = 0; i < 2; i++) expect((await t.apply()).result).toBe('ok');
    const mine = join(t.dir, 'mine.img');
    writeFileSync(mine, 'operator data');
    t.write(volumeYaml('demo', 'volumes/demo.img', restoreAt(mine)));
    const report = await t.apply();
    expect(report.actions.find((a) => a.kind === 'restore')).toMatchObject({ status: 'refused', message: `${mine} exists and walbctl did not make it (not in its inventory): a restore does not overwrite it` });
    expect(readFileSync(mine, 'utf8')).toBe('operator data');
  });
});
