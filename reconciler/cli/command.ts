/**
 * The shape of one CLI command. Commands live one per file under `reconciler/cli/commands/`:
 * `commands/validate.ts` is `walbctl validate`, `commands/wlog/show.ts` is `walbctl wlog show`.
 * Each module's default export is a `Command`; main.ts finds it by path, so adding a command
 * never means editing a shared list.
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal: progress bars and colour only then. */
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** The whole `--help` text: usage line, description, options. */
  help: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[], io: CliIO): Promise<number>;
}

export function defineCommand(command: Command): Command {
  return command;
}
