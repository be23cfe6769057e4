import { readFileSync } from 'node:fs';

import { parse } from '../args.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  summary: 'print the version of walbctl',
  help: `Usage: walbctl version [--json]

Prints walbctl's version.

Options:
  --json   print {"version": "..."}`,
  async run(args, io) {
    const { values } = parse(args, { json: { type: 'boolean' } }, { command: 'version', maxPositionals: 0 });
    const pkgUrl = new URL(import.meta.url.includes('/dist/') ? '../../../../package.json' : '../../../package.json', import.meta.url);
    const { version } = JSON.parse(readFileSync(pkgUrl, 'utf8')) as { version: string };
    io.stdout(values.json ? JSON.stringify({ version }) + '\n' : `walbctl ${version}\n`);
    return 0;
  },
});
