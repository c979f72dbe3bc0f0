/**
 * `tern registry record NAME --registry FILE`: writes a release's outcome (stage and release_results of
 * the entries its history names) back into the registry file, as a small edit the user reviews and
 * commits; Tern never pushes. The edit itself is operator/registry/release-record.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ModelRelease } from '../../api/model-release-schema.js';
import { loadRegistry, validateRegistry } from '../../registry/registry.js';
import { RecordError, recordRelease } from '../../registry/release-record.js';
import { EXIT, problemLine, UsageError, type CliIo, type Command, type ExitCode } from '../command.js';
import { CLUSTER_OPTIONS, connect, getRelease } from './release-client.js';

/** Records `release` into the registry `file` (relative to io.cwd); `dryRun` only says what would change. */
export function recordIntoFile(file: string, release: ModelRelease, io: CliIo, dryRun = false): ExitCode {
  const path = resolve(io.cwd, file);
  const loaded = loadRegistry(path);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr(problemLine(file, e.pointer, e.message));
    io.stderr(`${file}: not recorded: fix the registry first\n`);
    return EXIT.invalid;
  }
  const before = readFileSync(path, 'utf8');
  let result;
  try {
    result = recordRelease(before, release);
  } catch (error) {
    if (!(error instanceof RecordError)) throw error;
    io.stderr(problemLine(file, '', error.message));
    return EXIT.invalid;
  }
  for (const note of result.notes) io.stderr(`${file}: ${note}\n`);
  const problems = validateRegistry(JSON.parse(result.text));
  if (problems.length > 0) {
    for (const e of problems) io.stderr(problemLine(file, e.pointer, `after recording: ${e.message}`));
    return EXIT.invalid;
  }
  if (result.text === before) {
    io.stdout(`${file}: already up to date${result.written.length ? ` (${result.written.length} entries)` : ''}\n`);
    return EXIT.ok;
  }
  if (!dryRun) writeFileSync(path, result.text);
  for (const line of result.written) io.stdout(`${file}: ${dryRun ? 'would write' : 'wrote'} ${line}\n`);
  if (!dryRun) io.stdout(`Review and commit it: git diff -- ${file}\n`);
  return EXIT.ok;
}

export const registryRecord: Command = {
  path: ['registry', 'record'],
  summary: 'Write a release\'s outcome (stage, steps and check values) back into the registry file, for you to commit',
  argsUsage: 'NAME',
  minArgs: 1,
  maxArgs: 1,
  options: {
    ...CLUSTER_OPTIONS,
    registry: { type: 'string', value: 'FILE', help: 'the registry file to edit (required), e.g. models/registry.json' },
    'dry-run': { type: 'boolean', help: 'say what would change; write nothing' },
  },
  description:
    'Reads the ModelRelease NAME and, for each registry entry whose version its status.history names, sets "stage" (production, rolled_back, retired) and "release_results" from the newest history entry. Only those members change; the rest of the file, key order and spacing included, stays. Running it again changes nothing. `render` ignores both fields. Tern never commits or pushes.',
  async run({ args, options, io }) {
    const file = typeof options.registry === 'string' ? options.registry : undefined;
    if (file === undefined) throw new UsageError('--registry FILE is required (the registry to record into, e.g. models/registry.json)');
    const name = args[0] ?? '';
    const target = await connect(options);
    try {
      return recordIntoFile(file, await getRelease(target, name), io, options['dry-run'] === true);
    } finally {
      target.close();
    }
  },
};
