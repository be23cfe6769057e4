import { resolve } from 'node:path';

import { issueHost } from '../../../../native/lib/wire/pki/openssl.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';

export default defineCommand({
  summary: "make a host's key and certificate, signed by the fleet's CA",
  help: `Usage: walbctl pki issue HOST [--dir DIR] [--days N] [--force]

Makes DIR/HOST.key (EC P-256, mode 0600) and DIR/HOST.crt, signed by DIR/ca.key (walbctl pki
init). The certificate's subjectAltName is DNS:HOST: that name is the host's identity on the wire,
and the tree decides what it may send and receive. Point the host's tls: {ca, cert, key} at these
files; replacing them later rotates the certificate without restarting the daemon.

Options:
  --dir DIR  where the CA is and the files go (default ./pki)
  --days N   validity (default 825)
  --force    replace a certificate that is there`,
  async run(args, io) {
    const { values, positionals } = parse(args, { dir: { type: 'string' }, days: { type: 'string' }, force: { type: 'boolean' } }, { command: 'pki issue', maxPositionals: 1 });
    const host = positionals[0];
    if (!host) {
      io.stderr('walbctl pki issue: name the HOST (see --help)\n');
      return 2;
    }
    const dir = resolve(io.cwd, values.dir ?? 'pki');
    const f = await issueHost(dir, host, { ...(values.days ? { days: Number(values.days) } : {}), force: Boolean(values.force) });
    io.stdout(`${host}: ${f.cert} (key ${f.key}, mode 0600), signed by ${f.ca}\n`);
    return 0;
  },
});
