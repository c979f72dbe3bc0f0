// Registry validation: the schema file is current, good registries (Tern's and the runbook's shape) pass,
// each bad one gives its exact errors, and only about its own defect.
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry, validateRegistry, versionedFamily } from './registry.js';
import { renderRegistrySchemaJson } from './registry-schema.js';
import { goodRegistry, runbookCopy, type RunbookDocument } from './testdata.js';

type Doc = Record<string, unknown> & { models: Record<string, unknown>[] };
const SEMVER = 'must be a semantic version such as "1.2.0"';
const VERSIONS = 'must be 1 or "1.0" (the registry format versions Tern reads)';
const RELEASE_NAME = "must be a DNS-1035 label of at most 52 characters (lowercase letters, digits and '-', starting with a letter): Services and Deployments are named after it";
const DATE = 'must be a date such as "2022-04-18" or an RFC 3339 date-time such as "2026-03-01T12:00:00Z"';

const BAD_REGISTRIES: [string, (r: Doc) => void, { pointer: string; message: string }[]][] = [
  ['schema_version missing', (r) => delete r.schema_version, [{ pointer: '/schema_version', message: 'is required' }]],
  ['schema_version 2', (r) => (r.schema_version = 2), [{ pointer: '/schema_version', message: VERSIONS }]],
  ['schema_version "1"', (r) => (r.schema_version = '1'), [{ pointer: '/schema_version', message: VERSIONS }]],
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
  ['trained_at not a date-time', (r) => (r.models[0]!.trained_at = 'last week'), [{ pointer: '/models/0/trained_at', message: DATE }]],
  ['trained_at an hour that does not exist', (r) => (r.models[0]!.trained_at = '2026-09-01T25:00:00Z'), [{ pointer: '/models/0/trained_at', message: DATE }]],
  ['metrics_snapshot a number', (r) => (r.models[1]!.metrics_snapshot = 3), [{ pointer: '/models/1/metrics_snapshot', message: 'must be object or string' }]],
  ['metrics_snapshot an empty path', (r) => (r.models[1]!.metrics_snapshot = ''), [{ pointer: '/models/1/metrics_snapshot', message: 'must NOT have fewer than 1 characters' }]],
  ['release_name not a DNS-1035 label', (r) => (r.release_name = 'Species_v1'), [{ pointer: '/release_name', message: RELEASE_NAME }]],
  ['release_name too long', (r) => (r.release_name = `s${'x'.repeat(52)}`), [{ pointer: '/release_name', message: 'must NOT have more than 52 characters' }]],
  ['upper-case entry name', (r) => ((r.models[1]!.name = 'Species-1.1.0'), (r.active = 'Species-1.1.0')), [{ pointer: '/models/1/name', message: 'must be lowercase letters, digits, "-", "_" or ".", starting and ending with a letter or digit' }]],
  ['no models', (r) => (r.models = []), [{ pointer: '/models', message: 'must NOT have fewer than 1 items' }, { pointer: '/active', message: 'names no entry of models (known: none)' }]],
  ['models not an array', (r) => ((r as Record<string, unknown>).models = {}), [{ pointer: '/models', message: 'must be array' }]],
];

const snapshotError = (entry: number, message: string) => [{ pointer: `/models/${entry}/metrics_snapshot`, message }];
const writeReport = (dir: string, name: string, content: string) => writeFileSync(join(dir, 'reports', name), content);

/** The runbook-shaped registry (testdata/runbook), each time with one defect: only that defect is reported. */
const BAD_RUNBOOK_REGISTRIES: [string, (r: RunbookDocument, dir: string) => void, { pointer: string; message: string }[]][] = [
  ['schema_version "2.0"', (r) => (r.schema_version = '2.0'), [{ pointer: '/schema_version', message: VERSIONS }]],
  ['active names no entry', (r) => (r.active = 'effb4_30k'), [{ pointer: '/active', message: 'names no entry of models (known: effb4_15k, effb4_v2)' }]],
  ['duplicate entry names', (r) => (r.models[1]!.name = 'effb4_15k'), [{ pointer: '/models/1/name', message: 'duplicates /models/0/name ("effb4_15k"): entry names must be unique' }]],
  ['version not semver', (r) => (r.models[1]!.version = 'v2'), [{ pointer: '/models/1/version', message: SEMVER }]],
  ['trained_at in another notation', (r) => (r.models[0]!.trained_at = '18/04/2022'), [{ pointer: '/models/0/trained_at', message: DATE }]],
  ['trained_at a date that does not exist', (r) => (r.models[0]!.trained_at = '2022-02-30'), [{ pointer: '/models/0/trained_at', message: DATE }]],
  ['ftp weights_url', (r) => (r.models[0]!.weights_url = 'ftp://models/efficientnet_b4_512_fold0.ckpt'), [{ pointer: '/models/0/weights_url', message: 'must be an https://, http:// or file:// URL' }]],
  ['short sha256', (r) => (r.models[1]!.sha256 = 'abc'), [{ pointer: '/models/1/sha256', message: 'must be 64 lowercase hex digits' }]],
  ['unknown entry field', (r) => (r.models[0]!.weights_path = 'models/x.ckpt'), [{ pointer: '/models/0/weights_path', message: 'is not a known field' }]],
  ['metrics_snapshot a list', (r) => (r.models[0]!.metrics_snapshot = ['reports/metrics_baseline.json']), [{ pointer: '/models/0/metrics_snapshot', message: 'must be object or string' }]],
  ['snapshot file missing', (r) => (r.models[0]!.metrics_snapshot = 'reports/metrics_latest.json'), snapshotError(0, 'reports/metrics_latest.json (entry effb4_15k): cannot read the file (ENOENT)')],
  ['snapshot not JSON', (_, dir) => writeReport(dir, 'metrics_v2.json', '{"tpr": 0.9, secret-token-here'), snapshotError(1, 'reports/metrics_v2.json (entry effb4_v2): is not valid JSON (at character 13)')],
  ['snapshot a list', (_, dir) => writeReport(dir, 'metrics_v2.json', '[0.9, 0.9, 0.7]'), snapshotError(1, 'reports/metrics_v2.json (entry effb4_v2): must hold a JSON object of metrics')],
  ['snapshot without a score mean', (_, dir) => writeReport(dir, 'metrics_v2.json', '{"tpr": 0.9, "tnr": 0.9}'), snapshotError(1, 'reports/metrics_v2.json (entry effb4_v2): has no score_mean (looked for score_mean, cetacean_score_mean, mean_cetacean_score)')],
  ['snapshot tpr above 1', (_, dir) => writeReport(dir, 'metrics_v2.json', '{"tpr": 96, "tnr": 0.9, "score_mean": 0.7}'), snapshotError(1, 'reports/metrics_v2.json (entry effb4_v2): tpr must be within 0..1, got 96')],
  ['snapshot with two names for tpr', (_, dir) => writeReport(dir, 'metrics_v2.json', '{"tpr": 0.9, "anti_fraud": {"tpr": 0.8}, "tnr": 0.9, "score_mean": 0.7}'), snapshotError(1, 'reports/metrics_v2.json (entry effb4_v2): has tpr and anti_fraud.tpr, all meaning tpr: keep one')],
  ['snapshot larger than 1 MiB', (_, dir) => writeReport(dir, 'metrics_v2.json', `{"tpr": 0.9, "tnr": 0.9, "score_mean": 0.7, "pad": "${'x'.repeat(1024 * 1024)}"}`), snapshotError(1, 'reports/metrics_v2.json (entry effb4_v2): is larger than 1 MiB')],
  ['snapshot path out of the registry folder', (r) => (r.models[0]!.metrics_snapshot = 'reports/../../../etc/passwd'), snapshotError(0, 'reports/../../../etc/passwd (entry effb4_15k): must stay inside the registry file\'s folder (no "../" out of it): move the report beside or below the registry')],
  ['snapshot path absolute', (r) => (r.models[0]!.metrics_snapshot = '/etc/hostname'), snapshotError(0, '/etc/hostname (entry effb4_15k): must be a path relative to the registry file, not an absolute one')],
  ['snapshot path a URL', (r) => (r.models[0]!.metrics_snapshot = 'https://example.org/m.json'), snapshotError(0, 'https://example.org/m.json (entry effb4_15k): must be a file path relative to the registry file, not a URL')],
  ['snapshot through a symbolic link out of the folder', (r, dir) => {
    const outside = mkdtempSync(join(tmpdir(), 'tern-outside-'));
    writeFileSync(join(outside, 'metrics.json'), '{"tpr": 0.9, "tnr": 0.9, "score_mean": 0.7}');
    symlinkSync(join(outside, 'metrics.json'), join(dir, 'reports', 'outside.json'));
    r.models[0]!.metrics_snapshot = 'reports/outside.json';
  }, snapshotError(0, 'reports/outside.json (entry effb4_15k): leads out of the registry file\'s folder (through a symbolic link): move the report beside or below the registry')],
  ['snapshot a folder', (r) => (r.models[0]!.metrics_snapshot = 'reports'), snapshotError(0, 'reports (entry effb4_15k): is not a regular file')],
  ['release_name not a DNS-1035 label', (r) => (r.release_name = 'effb4_whales'), [{ pointer: '/release_name', message: RELEASE_NAME }]],
  ['two defects, two errors', (r) => ((r.schema_version = 2), (r.models[0]!.metrics_snapshot = 'reports/none.json')), [
    { pointer: '/schema_version', message: VERSIONS },
    ...snapshotError(0, 'reports/none.json (entry effb4_15k): cannot read the file (ENOENT)'),
  ]],
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

  it('reads schema_version 1 and "1.0", and a date for trained_at', () => {
    const registry = goodRegistry() as unknown as Doc;
    registry.schema_version = '1.0';
    registry.models[0]!.trained_at = '2022-04-18';
    expect(validateRegistry(registry)).toEqual([]);
  });

  it('accepts the runbook-shaped registry and reads its snapshot files', () => {
    const loaded = loadRegistry('operator/registry/testdata/runbook/registry.json');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(loaded.registry.models.map((m) => m.metrics_snapshot)).toEqual([
      {
        tpr: 0.94, tnr: 0.91, score_mean: 0.71,
        anti_fraud_roc_auc: 0.98, identification_top1_accuracy: 0.24, identification_top5_accuracy: 0.29, performance_latency_p95_ms: 520.5, sample_size: 200,
      },
      { tpr: 0.96, tnr: 0.93, score_mean: 0.74, top1_accuracy: 0.31 },
    ]);
  });

  it('has a table of at least 20 bad runbook-shaped registries', () => expect(BAD_RUNBOOK_REGISTRIES.length).toBeGreaterThanOrEqual(20));

  it.each(BAD_RUNBOOK_REGISTRIES)('rejects the runbook registry with: %s', (_, change, expected) => {
    const loaded = loadRegistry(runbookCopy(change));
    expect(loaded.ok ? [] : loaded.errors).toEqual(expected);
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

describe('versionedFamily', () => {
  it.each([
    ['species-1.1.0', '1.1.0', 'species'],
    ['fraud-v2-2.0.0-rc.1', '2.0.0-rc.1', 'fraud-v2'],
    ['effb4_15k', '1.0.0', undefined],
    ['species', '1.1.0', undefined],
    ['1.0.0', '1.0.0', undefined],
  ])('%s (version %s) is family %s', (name, version, family) => expect(versionedFamily({ name, version })).toBe(family));
});
