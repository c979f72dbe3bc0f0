/**
 * The `tern` dispatcher: finds the command whose path matches the first words, parses its options,
 * prints help (`--help` anywhere), and maps failures to exit codes (0 ok, 1 invalid input, 2 usage).
 */
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type CliIo, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';

/** stdout/stderr of this process. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
};

const usageLine = (c: Command): string => `tern ${c.path.join(' ')}${c.argsUsage ? ` ${c.argsUsage}` : ''}${Object.keys(c.options).length ? ' [options]' : ''}`;

function commandHelp(c: Command): string {
  const rows: [string, string][] = [
    ...Object.entries(c.options).map(([name, o]): [string, string] => [`${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`, o.help]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  const options = rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`);
  return [
    `Usage: ${usageLine(c)}`,
    '',
    c.summary,
    ...(c.description ? ['', c.description] : []),
    '',
    'Options:',
    ...options,
    '',
    'Exit codes: 0 ok, 1 invalid input, 2 usage error.',
    '',
  ].join('\n');
}

function listHelp(prefix: string[], commands: readonly Command[]): string {
  const matching = commands.filter((c) => prefix.every((word, i) => c.path[i] === word));
  const width = Math.max(...matching.map((c) => c.path.join(' ').length));
  return [
    `Usage: tern ${prefix.length ? `${prefix.join(' ')} ` : ''}COMMAND [options]`,
    '',
    'Commands:',
    ...matching.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Run `tern COMMAND --help` for a command\'s options. Exit codes: 0 ok, 1 invalid input, 2 usage error.',
    '',
  ].join('\n');
}

/** The longest leading run of `words` that starts some command's path (a command group such as "registry"). */
function longestGroupPrefix(words: string[], commands: readonly Command[]): string[] {
  let prefix: string[] = [];
  for (let i = 1; i <= words.length; i++) {
    const candidate = words.slice(0, i);
    if (!commands.some((c) => c.path.length > i && candidate.every((w, j) => c.path[j] === w))) break;
    prefix = candidate;
  }
  return prefix;
}

/** Runs `tern argv...`; returns the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const command = [...commands]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.every((word, i) => argv[i] === word));
  if (command === undefined) {
    const words = argv.filter((a) => !a.startsWith('-'));
    const prefix = longestGroupPrefix(words, commands);
    if (words.length === prefix.length) {
      // `tern`, `tern --help`, `tern registry`, `tern registry --help`: list what there is.
      const text = listHelp(prefix, commands);
      if (wantsHelp) {
        io.stdout(text);
        return EXIT.ok;
      }
      io.stderr(text);
      return EXIT.usage;
    }
    io.stderr(`tern: unknown command "${words.join(' ')}"\n\n${listHelp(prefix, commands)}`);
    return EXIT.usage;
  }
  if (wantsHelp) {
    io.stdout(commandHelp(command));
    return EXIT.ok;
  }
  const rest = argv.slice(command.path.length);
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const options = Object.fromEntries(
      Object.entries(command.options).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]),
    );
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    io.stderr(`tern ${command.path.join(' ')}: ${(error as Error).message}\n\n${commandHelp(command)}`);
    return EXIT.usage;
  }
  const count = parsed.positionals.length;
  if (count < command.minArgs || count > command.maxArgs) {
    io.stderr(`tern ${command.path.join(' ')}: expected ${command.argsUsage || 'no arguments'}, got ${count} argument(s)\n\n${commandHelp(command)}`);
    return EXIT.usage;
  }
  try {
    return await command.run({ args: parsed.positionals, options: parsed.values, io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tern ${command.path.join(' ')}: ${error.message}\n\n${commandHelp(command)}`);
      return EXIT.usage;
    }
    throw error;
  }
}
