// Registry validation: the schema file is current, good registries pass, each bad one gives its exact errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { familyName, loadRegistry, validateRegistry } from './registry.js';
import { renderRegistrySchemaJson } from './registry-schema.js';
import { goodRegistry } from './testdata.js';

type Doc = Record<string, unknown> & { models: Record<string, unknown>[] };
const SEMVER = 'must be a semantic version such as "1.2.0"';

const BAD_REGISTRIES: [string, (r: Doc) => void, { pointer: string; message: string }[]][] = [
  ['schema_version missing', (r) => delete r.schema_version, [{ pointer: '/schema_version', message: 'is required' }]],
  ['schema_version 2', (r) => (r.schema_version = 2), [{ pointer: '/schema_version', message: 'must be 1' }]],
  ['active names no entry', (r) => (r.active = 'species-9.9.9'), [{ pointer: '/active', message: 'names no entry of models (known: species-1.0.0, species-1.1.0)' }]],
  ['duplicate entry names', (r) => (r.models[1]!.name = 'species-1.0.0'), [{ pointer: '/models/1/name', message: 'duplicates /models/0/name ("species-1.0.0"): entry names must be unique' }]],
  ['version not semver', (r) => (r.models[0]!.version = '1.0'), [{ pointer: '/models/0/version', message: SEMVER }]],
  ['version with a leading zero', (r) => (r.models[1]!.version = '01.1.0'), [{ pointer: '/models/1/version', message: SEMVER }]],
  ['short sha256', (r) => (r.models[0]!.sha256 = 'abc123'), [{ pointer: '/models/0/sha256', message: 'must be 64 lowercase hex digits' }]],
  ['sha256 left out (null must be explicit)', (r) => delete r.models[0]!.sha256, [{ pointer: '/models/0/sha256', message: 'is required' }]],
  ['ftp weights_url', (r) => (r.models[0]!.weights_url = 'ftp://models/x.onnx'), [{ pointer: '/models/0/weights_url', message: 'must be an https://, http:// or file:// URL' }]],
  ['score_mean missing', (r) => delete (r.models[0]!.metrics_snapshot as Record<string, unknown>).score_mean, [{ pointer: '/models/0/metrics_snapshot/score_mean', message: 'is required' }]],
  ['tpr above 1', (r) => ((r.models[1]!.metrics_snapshot as Record<string, unknown>).tpr = 1.2), [{ pointer: '/models/1/metrics_snapshot/tpr', message: 'must be <= 1' }]],
  ['extra metric not a number', (r) => ((r.models[0]!.metrics_snapshot as Record<string, unknown>).auc = 'high'), [{ pointer: '/models/0/metrics_snapshot/auc', message: 'must be number' }]],
  ['unknown entry field', (r) => (r.models[0]!.weights = 'x'), [{ pointer: '/models/0/weights', message: 'is not a known field' }]],
  ['trained_at not a date-time', (r) => (r.models[0]!.trained_at = 'last week'), [{ pointer: '/models/0/trained_at', message: 'must be an RFC 3339 date-time such as "2026-03-01T12:00:00Z"' }]],
  ['upper-case entry name', (r) => ((r.models[1]!.name = 'Species-1.1.0'), (r.active = 'Species-1.1.0')), [{ pointer: '/models/1/name', message: 'must be lowercase letters, digits, "-", "_" or ".", starting and ending with a letter or digit' }]],
  ['no models', (r) => (r.models = []), [{ pointer: '/models', message: 'must NOT have fewer than 1 items' }, { pointer: '/active', message: 'names no entry of models (known: none)' }]],
  ['models not an array', (r) => ((r as Record<string, unknown>).models = {}), [{ pointer: '/models', message: 'must be array' }]],
];

describe('models/registry.schema.json', () => {
  it('is up to date with operator/registry/registry-schema.ts (run `make crds` when this fails)', () => {
    expect(readFileSync('models/registry.schema.json', 'utf8')).toBe(renderRegistrySchemaJson());
  });
});

describe('validateRegistry', () => {
  it('accepts the good registry and models/registry.json', () => {
    expect(validateRegistry(goodRegistry())).toEqual([]);
    expect(loadRegistry('models/registry.json')).toMatchObject({ ok: true });
  });

  it('has a table of at least 10 bad registries', () => expect(BAD_REGISTRIES.length).toBeGreaterThanOrEqual(10));

  it.each(BAD_REGISTRIES)('rejects: %s', (_, change, expected) => {
    const registry = goodRegistry() as unknown as Doc;
    change(registry);
    expect(validateRegistry(registry)).toEqual(expected);
  });

  it('reports files that cannot be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tern-registry-'));
    writeFileSync(join(dir, 'broken.json'), '{"schema_version": 1,');
    const broken = loadRegistry(join(dir, 'broken.json'));
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.errors[0]!.message).toMatch(/^is not valid JSON: /);
    expect(loadRegistry(join(dir, 'missing.json'))).toEqual({ ok: false, errors: [{ pointer: '', message: 'cannot read the file (ENOENT)' }] });
  });
});

describe('familyName', () => {
  it.each([
    ['species-1.1.0', '1.1.0', 'species'],
    ['species', '1.1.0', 'species'],
    ['fraud-v2-2.0.0-rc.1', '2.0.0-rc.1', 'fraud-v2'],
    ['1.0.0', '1.0.0', '1.0.0'],
  ])('%s (version %s) is family %s', (name, version, family) => expect(familyName({ name, version })).toBe(family));
});
