/**
 * Reading and validating a registry file: JSON parse, the JSON Schema (ajv), then what a schema cannot
 * say (active names an entry; names are unique; versions semver). Problems are {pointer, message}.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import type { ValidateFunction } from 'ajv';
import { newSchemaAjv } from '../api/ajv.js';
import { describeAjvError, type ValidationError } from '../api/validate.js';
import { RegistrySchema, type Registry, type RegistryEntry } from './registry-schema.js';

let validator: ValidateFunction | undefined;

/** Schema and semantic problems of a parsed registry document; empty when it is valid. */
export function validateRegistry(document: unknown): ValidationError[] {
  validator ??= newSchemaAjv().compile(JSON.parse(JSON.stringify(RegistrySchema)) as object);
  const errors: ValidationError[] = [];
  if (!validator(document)) errors.push(...(validator.errors ?? []).map((e) => describeAjvError(e)));
  errors.push(...semanticProblems(document));
  return dedupe(errors);
}

function semanticProblems(document: unknown): ValidationError[] {
  if (typeof document !== 'object' || document === null) return [];
  const { active, models } = document as { active?: unknown; models?: unknown };
  if (!Array.isArray(models)) return [];
  const errors: ValidationError[] = [];
  const firstIndex = new Map<string, number>();
  models.forEach((entry: unknown, i) => {
    const { name, version } = (typeof entry === 'object' && entry !== null ? entry : {}) as { name?: unknown; version?: unknown };
    if (typeof name === 'string') {
      const first = firstIndex.get(name);
      if (first === undefined) firstIndex.set(name, i);
      else errors.push({ pointer: `/models/${i}/name`, message: `duplicates /models/${first}/name ("${name}"): entry names must be unique` });
    }
    // The schema pattern is semver's grammar; semver.valid also rejects what a regex cannot (e.g. huge numbers).
    if (typeof version === 'string' && semver.valid(version) === null && !errors.some((e) => e.pointer === `/models/${i}/version`)) {
      errors.push({ pointer: `/models/${i}/version`, message: 'must be a semantic version such as "1.2.0"' });
    }
  });
  if (typeof active === 'string' && !firstIndex.has(active)) {
    const known = [...firstIndex.keys()].join(', ');
    errors.push({ pointer: '/active', message: `names no entry of models (known: ${known || 'none'})` });
  }
  return errors;
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

/** Reads, parses and validates a registry file. */
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
  return errors.length === 0 ? { ok: true, registry: document as Registry } : { ok: false, errors };
}

/** The entry named `name`, or the active one. */
export function findEntry(registry: Registry, name = registry.active): RegistryEntry | undefined {
  return registry.models.find((m) => m.name === name);
}

/** The model family of an entry: its name without a trailing "-<version>" ("species-1.1.0" -> "species"). */
export function familyName(entry: Pick<RegistryEntry, 'name' | 'version'>): string {
  const suffix = `-${entry.version}`;
  return entry.name.endsWith(suffix) && entry.name.length > suffix.length ? entry.name.slice(0, -suffix.length) : entry.name;
}
