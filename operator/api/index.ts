/** The ModelRelease API in one import: schema and types, defaults, validation, the CRD. */
export * from './model-release-schema.js';
export { withDefaults, type ResolvedModelReleaseSpec } from './defaults.js';
export { validateManifest, validateSpec, type ValidationError } from './validate.js';
export { parseDurationMs, durationMs } from './duration.js';
export { RULES, type CelRule } from './rules.js';
export { modelReleaseCrd, renderCrdYaml, CRD_NAME } from './crd.js';
