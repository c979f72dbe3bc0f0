/**
 * Offline validation of ModelRelease manifests (`tern validate`, rendered manifests, tests): the same
 * schema the CRD is generated from, checked by ajv after applying defaults (as the apiserver does), then
 * the TypeScript twins of the CRD's CEL rules. Errors are {pointer, message}; pointers are JSON
 * Pointers into the manifest (/spec/rollout/steps/1/setWeight).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { newSchemaAjv } from './ajv.js';
import {
  API_VERSION, DURATION_PATTERN, KIND, ModelReleaseSpecSchema, SEMVER_PATTERN, SHA256_PATTERN, WEIGHTS_URL_PATTERN,
} from './model-release-schema.js';
import { objectLimitProblems } from './object-limits.js';
import { RULES, twinOf, type CelValidation } from './rules.js';
import { toPlainSchema, type JsonSchema } from './structural.js';
import type { ValidationError } from './validation-error.js';

export type { ValidationError } from './validation-error.js';

/** Messages for the patterns of the schema, in words a person can act on. */
const PATTERN_MESSAGES: Record<string, string> = {
  [DURATION_PATTERN]: 'must be a duration such as "30s", "5m" or "1h30m"',
  [SEMVER_PATTERN]: 'must be a semantic version such as "1.2.0"',
  [SHA256_PATTERN]: 'must be 64 lowercase hex digits',
  [WEIGHTS_URL_PATTERN]: 'must be an https://, http:// or file:// URL',
  '^https?://.+': 'must be an http:// or https:// URL',
  '^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$': 'must be lowercase letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
  '^[a-z][a-zA-Z0-9-]*$': 'must start with a lowercase letter, then letters, digits or "-"',
};
const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const TOP_LEVEL_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One ajv error in words; the pointer names the offending field itself (missing or unknown ones too). */
export function describeAjvError(error: ErrorObject, base = ''): ValidationError {
  const at = base + error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { pointer: `${at}/${escapePointer(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return { pointer: `${at}/${escapePointer(String(params.additionalProperty))}`, message: 'is not a known field' };
    case 'pattern':
      return { pointer: at, message: PATTERN_MESSAGES[String(params.pattern)] ?? `must match ${String(params.pattern)}` };
    case 'const':
      return { pointer: at, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return { pointer: at, message: `must be ${([] as unknown[]).concat(params.type).join(' or ')}` };
    case 'enum':
      return { pointer: at, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'format':
      return params.format === 'date-time'
        ? { pointer: at, message: 'must be an RFC 3339 date-time such as "2026-03-01T12:00:00Z"' }
        : { pointer: at, message: `must be a ${String(params.format)}` };
    default:
      return { pointer: at, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** Runs the CEL twins found in `schema` over `data` (both already defaulted), depth first. */
export function checkCelTwins(schema: JsonSchema, data: unknown, pointer: string, errors: ValidationError[]): void {
  if (!matchesType(schema.type, data)) return;
  for (const validation of (schema['x-kubernetes-validations'] as CelValidation[] | undefined) ?? []) {
    let holds = true;
    try {
      holds = twinOf(validation.rule).holds(data);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('CEL rule without')) throw error;
      // A shape the schema already reports as wrong; CEL would not evaluate it either.
    }
    if (!holds) errors.push({ pointer: pointer + fieldPathToPointer(validation.fieldPath), message: validation.message });
  }
  if (Array.isArray(data) && isObject(schema.items)) {
    data.forEach((item, i) => checkCelTwins(schema.items as JsonSchema, item, `${pointer}/${i}`, errors));
  } else if (isObject(data)) {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [key, value] of Object.entries(data)) {
      const child = properties[key] ?? (isObject(schema.additionalProperties) ? (schema.additionalProperties as JsonSchema) : undefined);
      if (child !== undefined) checkCelTwins(child, value, `${pointer}/${escapePointer(key)}`, errors);
    }
  }
}

function matchesType(type: unknown, data: unknown): boolean {
  switch (type) {
    case 'object': return isObject(data);
    case 'array': return Array.isArray(data);
    case 'string': return typeof data === 'string';
    case 'number': return typeof data === 'number';
    case 'integer': return Number.isInteger(data);
    case 'boolean': return typeof data === 'boolean';
    default: return true;
  }
}

/** ".rollout.shadow" -> "/rollout/shadow" (fieldPaths here are plain dotted names). */
function fieldPathToPointer(fieldPath: string | undefined): string {
  return fieldPath === undefined ? '' : fieldPath.split('.').slice(1).map(escapePointer).map((k) => `/${k}`).join('');
}

let specSchema: JsonSchema | undefined;
let specValidator: ValidateFunction | undefined;

/** Validates a ModelRelease spec; pointers start with `base` (e.g. "/spec"). */
export function validateSpec(spec: unknown, base = '/spec'): ValidationError[] {
  specSchema ??= toPlainSchema(ModelReleaseSpecSchema, 'offline');
  specValidator ??= newSchemaAjv({ useDefaults: true }).compile(specSchema);
  const defaulted = structuredClone(spec);
  const errors: ValidationError[] = [];
  if (!specValidator(defaulted)) errors.push(...(specValidator.errors ?? []).map((e) => describeAjvError(e, base)));
  checkCelTwins(specSchema, defaulted, base, errors);
  return sortUnique(errors);
}

/** Validates a whole ModelRelease manifest: apiVersion, kind, metadata.name (and namespace), spec. */
export function validateManifest(manifest: unknown): ValidationError[] {
  if (!isObject(manifest)) return [{ pointer: '', message: 'must be an object (a ModelRelease manifest)' }];
  const errors: ValidationError[] = [];
  for (const key of Object.keys(manifest)) {
    if (!TOP_LEVEL_FIELDS.has(key)) errors.push({ pointer: `/${escapePointer(key)}`, message: 'is not a known field' });
  }
  if (manifest.apiVersion !== API_VERSION) errors.push({ pointer: '/apiVersion', message: `must be ${API_VERSION}` });
  if (manifest.kind !== KIND) errors.push({ pointer: '/kind', message: `must be ${KIND}` });
  const metadata = manifest.metadata;
  if (!isObject(metadata)) {
    errors.push({ pointer: '/metadata', message: 'is required and must be an object with a name' });
  } else {
    if (typeof metadata.name !== 'string') errors.push({ pointer: '/metadata/name', message: 'is required' });
    else if (!RULES.releaseName.holds(manifest)) errors.push({ pointer: '/metadata/name', message: RULES.releaseName.message });
    if (metadata.namespace !== undefined && (typeof metadata.namespace !== 'string' || !NAMESPACE_PATTERN.test(metadata.namespace))) {
      errors.push({ pointer: '/metadata/namespace', message: 'must be a DNS-1123 label (a namespace name)' });
    }
  }
  if (manifest.spec === undefined) errors.push({ pointer: '/spec', message: 'is required' });
  else errors.push(...validateSpec(manifest.spec, '/spec'));
  errors.push(...objectLimitProblems(manifest));
  return sortUnique(errors);
}

function sortUnique(errors: ValidationError[]): ValidationError[] {
  const seen = new Set<string>();
  return errors
    .filter((e) => {
      const key = `${e.pointer}\u0000${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}
