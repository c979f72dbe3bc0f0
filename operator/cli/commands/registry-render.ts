/** `tern registry render FILE`: the ModelRelease manifest of the active (or a named) registry entry, as YAML. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateManifest } from '../../api/validate.js';
import { loadRegistry } from '../../registry/registry.js';
import { RenderError } from '../../registry/release-name.js';
import { manifestYaml, releaseFromRegistry } from '../../registry/render.js';
import { EXIT, problemLine, UsageError, type Command } from '../command.js';

const optionalString = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export const registryRender: Command = {
  path: ['registry', 'render'],
  summary: 'Render the ModelRelease manifest of the active registry entry (YAML for kubectl apply -f - or a GitOps repo)',
  argsUsage: 'FILE',
  minArgs: 1,
  maxArgs: 1,
  options: {
    name: { type: 'string', value: 'N', help: 'metadata.name (default: the registry\'s release_name, else the entry name without its trailing -<version>, e.g. species)' },
    namespace: { type: 'string', value: 'NS', help: 'metadata.namespace (default: none, kubectl\'s namespace applies)' },
    entry: { type: 'string', value: 'NAME', help: 'render this entry instead of the active one' },
    out: { type: 'string', value: 'DIR', help: 'write DIR/<name>.yaml instead of printing' },
    'weights-base-url': { type: 'string', value: 'URL', help: 'replace everything before the file name of weights_url (e.g. http://127.0.0.1:8000/)' },
  },
  description:
    'The registry is validated first (problems are printed as `FILE: /json/pointer: message`, exit 1). The output is deterministic: the same registry and options give the same bytes.',
  run({ args, options, io }) {
    const file = args[0] as string;
    const base = optionalString(options['weights-base-url']);
    if (base !== undefined && !/^(https?|file):\/\/.+/.test(base)) throw new UsageError(`--weights-base-url must be an http://, https:// or file:// URL, got "${base}"`);
    const loaded = loadRegistry(resolve(io.cwd, file));
    if (!loaded.ok) {
      for (const e of loaded.errors) io.stderr(problemLine(file, e.pointer, e.message));
      return Promise.resolve(EXIT.invalid);
    }
    let manifest;
    try {
      manifest = releaseFromRegistry(loaded.registry, {
        name: optionalString(options.name),
        namespace: optionalString(options.namespace),
        entry: optionalString(options.entry),
        weightsBaseUrl: base,
      });
    } catch (error) {
      io.stderr(problemLine(file, error instanceof RenderError ? error.pointer : '', (error as Error).message));
      return Promise.resolve(EXIT.invalid);
    }
    const problems = validateManifest(manifest);
    if (problems.length > 0) {
      for (const e of problems) io.stderr(`${file}: rendered manifest ${e.pointer}: ${e.message}\n`);
      if (problems.some((e) => e.pointer === '/metadata/name')) io.stderr('Choose a release name with --name, or set "release_name" in the registry.\n');
      return Promise.resolve(EXIT.invalid);
    }
    const yaml = manifestYaml(manifest);
    const outDir = optionalString(options.out);
    if (outDir === undefined) {
      io.stdout(yaml);
    } else {
      const dir = resolve(io.cwd, outDir);
      mkdirSync(dir, { recursive: true });
      const target = join(dir, `${manifest.metadata.name}.yaml`);
      writeFileSync(target, yaml);
      io.stderr(`wrote ${target}\n`);
    }
    return Promise.resolve(EXIT.ok);
  },
};
