/** `make crds`: writes crds/modelrelease.yaml from the TypeBox schema. Usage: node dist/operator/api/write-crd.js [FILE] */
import { writeFileSync } from 'node:fs';
import { renderCrdYaml } from './crd.js';

const target = process.argv[2] ?? 'crds/modelrelease.yaml';
writeFileSync(target, renderCrdYaml());
process.stdout.write(`wrote ${target}\n`);
