import { resolve } from 'node:path';

import { initCa } from '../../../../native/lib/wire/pki/openssl.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';

export default defineCommand({
  summary: 'make a certificate authority for the fleet',
  help: `Usage: walbctl pki init [DIR] [--days N] [--force]

Makes the fleet's CA in DIR (default ./pki): ca.key (EC P-256, mode 0600) and ca.crt.
Every host's certificate is signed by it (walbctl pki issue HOST); hosts trust peers whose
certificate it signed. Keep DIR out of git: the tree names certificate paths, never secrets.
Uses the openssl command.

Options:
  --days N   validity of the CA certificate (default 3650)
  --force    replace a CA that is there`,
  async run(args, io) {
    const { values, positionals } = parse(args, { days: { type: 'string' }, force: { type: 'boolean' } }, { command: 'pki init', maxPositionals: 1 });
    const dir = resolve(io.cwd, positionals[0] ?? 'pki');
    const f = await initCa(dir, { ...(values.days ? { days: Number(values.days) } : {}), force: Boolean(values.force) });
    io.stdout(`CA made: ${f.cert} (key ${f.key}, mode 0600)\n`);
    return 0;
  },
});
