/**
 * Reading and validating a registry file: JSON parse, the JSON Schema (ajv), then what a schema cannot
 * say (active names an entry; names are unique; versions semver; dates real), then the metrics snapshots
 * kept in files (snapshot.ts). Problems are {pointer, message}, each at the field that is wrong.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { newSchemaAjv } from '../api/ajv.js';
import { RULES } from '../api/rules.js';
import { describeAjvError, type ValidationError } from '../api/validate.js';
import {
  DATE_OR_DATE_TIME_PATTERN, REGISTRY_SCHEMA_VERSIONS, RegistrySchema, type MetricsSnapshot, type Registry, type RegistryEntry,
} from './registry-schema.js';
import { readSnapshotFile } from './snapshot.js';

let validator: ValidateFunction | undefined;
let dateValidators: ValidateFunction[] | undefined;

/** Schema and semantic problems of a parsed registry document; empty when it is valid. Reads no files. */
export function validateRegistry(document: unknown): ValidationError[] {
  // allowUnionTypes: metrics_snapshot is one node of type [object, string].
  validator ??= newSchemaAjv({ allowUnionTypes: true }).compile(JSON.parse(JSON.stringify(RegistrySchema)) as object);
  const errors: ValidationError[] = [];
  if (!validator(document)) errors.push(...(validator.errors ?? []).map(describeRegistryError));
  errors.push(...semanticProblems(document, errors));
  return dedupe(errors);
}

const DATE_MESSAGE = 'must be a date such as "2022-04-18" or an RFC 3339 date-time such as "2026-03-01T12:00:00Z"';

/** describeAjvError, in the registry's words where the registry's schema differs from the API's. */
function describeRegistryError(error: ErrorObject): ValidationError {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum' && error.instancePath === '/schema_version') {
    return { pointer: '/schema_version', message: `must be ${REGISTRY_SCHEMA_VERSIONS.map((v) => JSON.stringify(v)).join(' or ')} (the registry format versions Tern reads)` };
  }
  if (error.keyword === 'pattern' && params.pattern === DATE_OR_DATE_TIME_PATTERN) return { pointer: error.instancePath, message: DATE_MESSAGE };
  if (error.keyword === 'pattern' && error.instancePath === '/release_name') return { pointer: '/release_name', message: RULES.releaseName.message };
  return describeAjvError(error);
}

function semanticProblems(document: unknown, schemaErrors: ValidationError[]): ValidationError[] {
  if (typeof document !== 'object' || document === null) return [];
  const { active, models } = document as { active?: unknown; models?: unknown };
  if (!Array.isArray(models)) return [];
  const errors: ValidationError[] = [];
  const firstIndex = new Map<string, number>();
  models.forEach((entry: unknown, i) => {
    const { name, version, trained_at: trainedAt } = (typeof entry === 'object' && entry !== null ? entry : {}) as { name?: unknown; version?: unknown; trained_at?: unknown };
    if (typeof name === 'string') {
      const first = firstIndex.get(name);
      if (first === undefined) firstIndex.set(name, i);
      else errors.push({ pointer: `/models/${i}/name`, message: `duplicates /models/${first}/name ("${name}"): entry names must be unique` });
    }
    // The schema pattern is semver's grammar; semver.valid also rejects what a regex cannot (e.g. huge numbers).
    if (typeof version === 'string' && semver.valid(version) === null && !errors.some((e) => e.pointer === `/models/${i}/version`)) {
      errors.push({ pointer: `/models/${i}/version`, message: 'must be a semantic version such as "1.2.0"' });
    }
    // The pattern admits 2022-02-30 and 25:00:00; a date must also exist.
    const at = `/models/${i}/trained_at`;
    if (typeof trainedAt === 'string' && !schemaErrors.some((e) => e.pointer === at) && !isRealDate(trainedAt)) errors.push({ pointer: at, message: DATE_MESSAGE });
  });
  if (typeof active === 'string' && !firstIndex.has(active)) {
    const known = [...firstIndex.keys()].join(', ');
    errors.push({ pointer: '/active', message: `names no entry of models (known: ${known || 'none'})` });
  }
  return errors;
}

function isRealDate(text: string): boolean {
  dateValidators ??= ['date', 'date-time'].map((format) => newSchemaAjv().compile({ type: 'string', format }));
  return dateValidators.some((valid) => valid(text));
}

function dedupe(errors: ValidationError[]): ValidationError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.pointer}\u0000${e.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** The outcome of loading a registry file: the registry, or every problem found. */
export type LoadResult = { ok: true; registry: Registry } | { ok: false; errors: ValidationError[] };

/** Reads, parses and validates a registry file, and reads the metrics snapshots it names by path. */
export function loadRegistry(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ pointer: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }] };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [{ pointer: '', message: `is not valid JSON: ${(error as Error).message}` }] };
  }
  const errors = validateRegistry(document);
  const registry = withSnapshots(document, file, errors);
  return errors.length === 0 ? { ok: true, registry } : { ok: false, errors };
}

/**
 * The registry with every metrics_snapshot path replaced by the snapshot read from it; a snapshot that
 * cannot be read or converted adds an error at its entry's metrics_snapshot, naming the entry and path.
 */
function withSnapshots(document: unknown, file: string, errors: ValidationError[]): Registry {
  const registry = document as Registry;
  if (typeof document !== 'object' || document === null || !Array.isArray(registry.models)) return registry;
  const models = registry.models.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) return entry;
    const { name, metrics_snapshot: snapshot } = entry as { name?: unknown; metrics_snapshot?: unknown };
    const pointer = `/models/${i}/metrics_snapshot`;
    if (typeof snapshot !== 'string' || errors.some((e) => e.pointer === pointer)) return entry;
    const read = readSnapshotFile(file, snapshot);
    if (read.ok) return { ...entry, metrics_snapshot: read.metrics as MetricsSnapshot };
    errors.push({ pointer, message: `${snapshot} (entry ${typeof name === 'string' ? name : `#${i}`}): ${read.message}` });
    return entry;
  });
  return { ...registry, models: models as RegistryEntry[] };
}

/** The entry named `name`, or the active one. */
export function findEntry(registry: Registry, name = registry.active): RegistryEntry | undefined {
  return registry.models.find((m) => m.name === name);
}

/** The family of an entry named <family>-<version> ("species-1.1.0" -> "species"); undefined for other names ("effb4_15k"). */
export function versionedFamily(entry: Pick<RegistryEntry, 'name' | 'version'>): string | undefined {
  const suffix = `-${entry.version}`;
  return entry.name.endsWith(suffix) && entry.name.length > suffix.length ? entry.name.slice(0, -suffix.length) : undefined;
}
