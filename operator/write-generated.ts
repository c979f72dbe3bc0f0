/**
 * `make crds`: writes the files generated from the TypeBox schemas, which are checked in:
 * crds/modelrelease.yaml (operator/api) and models/registry.schema.json (operator/registry).
 * Tests (crd.test.ts, registry-schema.test.ts) fail when either is stale.
 * Usage: node dist/operator/write-generated.js [REPO_ROOT]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrdYaml } from './api/crd.js';
import { renderRegistrySchemaJson } from './registry/registry-schema.js';

export const GENERATED_FILES: Record<string, () => string> = {
  'crds/modelrelease.yaml': renderCrdYaml,
  'models/registry.schema.json': renderRegistrySchemaJson,
};

const root = process.argv[2] ?? '.';
for (const [file, render] of Object.entries(GENERATED_FILES)) {
  writeFileSync(join(root, file), render());
  process.stdout.write(`wrote ${file}\n`);
}
