import { describe, expect, it } from 'vitest';

import { walbctl } from '../../helpers/cli.js';

describe('walbctl daemon --host, given more than once', () => {
  it('refuses a host named twice and --listen with several hosts (one status address cannot serve two), before anything starts', async () => {
    const twice = await walbctl(['daemon', '--repo', '.', '--host', 'local', '--host', 'local']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/--host local is given twice/);
    const listen = await walbctl(['daemon', '--repo', '.', '--host', 'local', '--host', 'backup', '--listen', '127.0.0.1:0']);
    expect(listen.stderr).toMatch(/--listen overrides one host's daemon.listen: give it with a single --host/);
  });

  it('says in its help how one process serves several hosts and makes their certificates', async () => {
    const r = await walbctl(['daemon', '--help']);
    expect(r.stdout).toContain('--host H [--host H2 …]');
    expect(r.stdout).toMatch(/get them on\s+first start/);
  });
});
