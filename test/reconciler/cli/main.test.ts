import { describe, expect, it } from 'vitest';

import { walbctl, walbctlProcess } from '../../helpers/cli.js';

describe('walbctl dispatcher', () => {
  it('lists the commands and exits 1 when called without arguments', async () => {
    const r = await walbctl([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Usage: walbctl <command>/m);
    expect(r.stdout).toMatch(/^ {2}version +print the version/m);
  });

  it('prints a command\'s help for --help and exits 0', async () => {
    const r = await walbctl(['version', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: walbctl version/);
  });

  it('prints its version for --version and -V, as the version command does', async () => {
    const want = await walbctl(['version']);
    expect(want.stdout).toMatch(/^walbctl \d+\.\d+\.\d+\n$/);
    for (const flag of ['--version', '-V']) expect(await walbctl([flag])).toMatchObject({ code: 0, stdout: want.stdout });
    expect(JSON.parse((await walbctl(['--version', '--json'])).stdout)).toEqual({ version: want.stdout.trim().split(' ')[1] });
  });

  it('names an unknown command in one error line', async () => {
    const r = await walbctl(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('walbctl: error: unknown command "frobnicate" (see "walbctl --help")\n');
  });

  it('rejects an unknown flag with one line naming it', async () => {
    const r = await walbctl(['version', '--bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^walbctl: error: version: Unknown option '--bogus'/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs as a real process through bin/walbctl.js with --json output', () => {
    const r = walbctlProcess(['version', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  });
});
