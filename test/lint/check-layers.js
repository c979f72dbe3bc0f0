#!/usr/bin/env node
// `make lint`'s import check: runs dependency-cruiser with .dependency-cruiser.js (layers, no loops,
// server/operator apart, no test code in product code) and exits 1 on any violation. Offline, a few
// seconds. It calls dependency-cruiser's API rather than its `depcruise` command, which refuses
// Node 20 (the project's engine) by a version check only; the API runs on Node 20.
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const SOURCES = ['common', 'operator', 'server', 'models', 'test', 'charts'];

const options = await extractDepcruiseOptions('./.dependency-cruiser.js');
const tsConfig = extractTSConfig(options.tsConfig.fileName);
const result = await cruise(SOURCES, { ...options, outputType: process.argv[2] ?? 'err' }, undefined, { tsConfig });
process.stdout.write(String(result.output));
process.exit(result.exitCode > 0 ? 1 : 0);
