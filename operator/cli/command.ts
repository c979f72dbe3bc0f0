/**
 * What a `tern` command is: a path of words ("registry validate"), its options (node:util parseArgs
 * form), its usage text, and a run function returning an exit code. commands/index.ts lists them.
 */

/** Exit codes of every command. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT] | number;

/** Where a command writes and what it runs relative to; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder of a string option's value in --help (e.g. "NS"). */
  value?: string;
  /** One line for --help. */
  help: string;
}

export interface CommandContext {
  /** Positional arguments after the command path. */
  args: string[];
  options: Record<string, string | boolean | undefined>;
  io: CliIo;
}

export interface Command {
  /** Words after `tern`, e.g. ['registry', 'validate']. */
  path: string[];
  /** One line for the command list. */
  summary: string;
  /** Positional part of the usage line, e.g. "FILE...". */
  argsUsage: string;
  /** Fewest and most positional arguments (Infinity: no limit). */
  minArgs: number;
  maxArgs: number;
  options: Record<string, OptionSpec>;
  /** Longer help shown under the usage line. */
  description: string;
  run(context: CommandContext): Promise<ExitCode>;
}

/** A usage error raised inside run(): printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** `FILE: /json/pointer: message`, the line format of every validation problem. */
export function problemLine(file: string, pointer: string, message: string): string {
  return `${file}: ${pointer === '' ? '/' : pointer}: ${message}\n`;
}
