/**
 * walbctl's command dispatcher. A command is a file: `walbctl a b …` runs
 * `commands/a/b.js` when it exists, else `commands/a.js`. Only the module that runs is loaded,
 * so start-up stays cheap for the commands CI calls on every commit.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { WalbctlError } from '../../common/errors.js';
import type { CliIO, Command } from './command.js';

const commandsDir = fileURLToPath(new URL('./commands/', import.meta.url));
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

interface Resolved {
  path: string[];
  module?: string;
  group?: string;
}

function resolve(argv: string[]): Resolved {
  let dir = commandsDir;
  const path: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-') || !/^[a-z][a-z0-9-]*$/.test(word)) break;
    const sub = join(dir, word);
    if (isDir(sub)) {
      path.push(word);
      dir = sub;
      continue;
    }
    const file = sub + ext;
    if (existsSync(file)) return { path: [...path, word], module: file };
    break;
  }
  return path.length > 0 ? { path, group: dir } : { path };
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

async function load(file: string): Promise<Command> {
  const mod = (await import(pathToFileURL(file).href)) as { default: Command };
  return mod.default;
}

async function listing(dir: string, prefix: string[]): Promise<string> {
  const rows: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory()) {
      rows.push(...(await listing(join(dir, entry.name), [...prefix, entry.name])).split('\n').filter(Boolean));
    } else if (entry.name.endsWith(ext) && !entry.name.endsWith('.d.ts') && !entry.name.startsWith('_')) {
      const name = [...prefix, entry.name.slice(0, -ext.length)].join(' ');
      const cmd = await load(join(dir, entry.name));
      rows.push(`  ${name.padEnd(26)} ${cmd.summary}`);
    }
  }
  return rows.join('\n') + '\n';
}

const topHelp = `walbctl — GitOps for block-level continuous backup and replication (WalB's formats)

Usage: walbctl <command> [arguments] [--json] [--help]
       walbctl --version

Commands:
`;

export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  // `walbctl --version` (and -V), as most tools take it: the version command.
  if (argv[0] === '--version' || argv[0] === '-V') argv = ['version', ...argv.slice(1)];
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const resolved = resolve(argv);
  try {
    if (resolved.module) {
      const command = await load(resolved.module);
      if (wantsHelp) {
        io.stdout(command.help.endsWith('\n') ? command.help : command.help + '\n');
        return 0;
      }
      return await command.run(argv.slice(resolved.path.length), io);
    }
    const prefix = resolved.path;
    const list = await listing(resolved.group ?? commandsDir, prefix);
    if (argv.length === 0 || wantsHelp || (prefix.length > 0 && argv.length === prefix.length)) {
      const head = prefix.length > 0 ? `Usage: walbctl ${prefix.join(' ')} <command> [arguments]\n\nCommands:\n` : topHelp;
      io.stdout(head + list);
      return argv.length === 0 ? 1 : 0;
    }
    const unknown = argv[prefix.length];
    io.stderr(`walbctl: error: unknown command "${[...prefix, unknown].join(' ')}" (see "walbctl ${[...prefix, '--help'].join(' ')}")\n`);
    return 1;
  } catch (error) {
    io.stderr(`walbctl: error: ${describe(error)}\n`);
    if (io.env.WALBCTL_DEBUG && error instanceof Error && error.stack) io.stderr(error.stack + '\n');
    return 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof WalbctlError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
