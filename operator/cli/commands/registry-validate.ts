/** `tern registry validate FILE`: checks a registry file; prints every problem as `FILE: /pointer: message`. */
import { resolve } from 'node:path';
import { loadRegistry } from '../../registry/registry.js';
import { EXIT, problemLine, type Command } from '../command.js';

export const registryValidate: Command = {
  path: ['registry', 'validate'],
  summary: 'Validate a model registry file (models/registry.json) against its schema and rules',
  argsUsage: 'FILE',
  minArgs: 1,
  maxArgs: 1,
  options: {},
  description:
    'Checks the JSON Schema (models/registry.schema.json), that `active` names an entry, that entry names are unique, versions are semver and dates are real, and reads every metrics_snapshot given as a file path. Prints every problem as `FILE: /json/pointer: message` and exits 1; prints `FILE: ok` and exits 0 when valid.',
  run({ args, io }) {
    const file = args[0] as string;
    const result = loadRegistry(resolve(io.cwd, file));
    if (!result.ok) {
      for (const e of result.errors) io.stdout(problemLine(file, e.pointer, e.message));
      return Promise.resolve(EXIT.invalid);
    }
    io.stdout(`${file}: ok (${result.registry.models.length} models, active ${result.registry.active})\n`);
    return Promise.resolve(EXIT.ok);
  },
};
