// Rendering registry entries into ModelRelease manifests: content, determinism, and validity.
import { parse } from 'yaml';
import { validateManifest } from '../api/validate.js';
import { loadRegistry } from './registry.js';
import type { Registry } from './registry-schema.js';
import { camelCase, manifestYaml, rebaseWeightsUrl, REGISTRY_ENTRY_ANNOTATION, releaseFromRegistry, trainedAtDateTime } from './render.js';
import { goodRegistry, RUNBOOK_DIR } from './testdata.js';

/** The runbook-shaped registry, snapshots read, with `active` (and release_name) as given. */
function runbook(active: string, releaseName?: string): Registry {
  const loaded = loadRegistry(`${RUNBOOK_DIR}/registry.json`);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return { ...loaded.registry, active, ...(releaseName === undefined ? {} : { release_name: releaseName }) };
}

describe('releaseFromRegistry', () => {
  it('renders the active entry with the family name as release and model name', () => {
    const m = releaseFromRegistry(goodRegistry(), { namespace: 'ml' });
    expect(m.metadata).toEqual({ name: 'species', namespace: 'ml', annotations: { [REGISTRY_ENTRY_ANNOTATION]: 'species-1.0.0' } });
    expect(m.spec.model).toEqual({
      name: 'species',
      displayName: 'Species classifier',
      version: '1.0.0',
      architecture: 'mlp-32',
      weightsUrl: 'https://models.tern.dev/species/1.0.0/species-1.0.0.onnx',
      sha256: 'b'.repeat(64),
      trainedAt: '2026-09-01T09:00:00Z',
      metrics: { tpr: 0.88, tnr: 0.92, scoreMean: 0.81 },
    });
    expect(validateManifest(m)).toEqual([]);
  });

  it('omits sha256 when the registry has null, camelCases and sorts extra metrics', () => {
    const m = releaseFromRegistry(goodRegistry(), { entry: 'species-1.1.0', name: 'species-canary' });
    expect(m.metadata.name).toBe('species-canary');
    expect('sha256' in m.spec.model).toBe(false);
    expect(Object.keys(m.spec.model.metrics)).toEqual(['tpr', 'tnr', 'scoreMean', 'accuracy', 'f1Score']);
    expect(validateManifest(m)).toEqual([]);
  });

  it('replaces the weights base and keeps the file name', () => {
    const m = releaseFromRegistry(goodRegistry(), { weightsBaseUrl: 'http://127.0.0.1:8123' });
    expect(m.spec.model.weightsUrl).toBe('http://127.0.0.1:8123/species-1.0.0.onnx');
    expect(rebaseWeightsUrl('https://a/b/c/m.onnx', 'file:///srv/models/')).toBe('file:///srv/models/m.onnx');
  });

  it('names the entries when asked for one that does not exist', () => {
    expect(() => releaseFromRegistry(goodRegistry(), { entry: 'nope' })).toThrow('entry "nope" is not in the registry (entries: species-1.0.0, species-1.1.0)');
  });

  it('camelCases snake_case keys', () => {
    expect(camelCase('score_mean')).toBe('scoreMean');
    expect(camelCase('auc')).toBe('auc');
  });
});

describe('releaseFromRegistry on the runbook-shaped registry', () => {
  it('renders an entry with a date, a .ckpt file, no sha256 and a snapshot file into a valid manifest', () => {
    const m = releaseFromRegistry(runbook('effb4_15k', 'cetacean-id'), { namespace: 'ml' });
    expect(m.metadata).toEqual({ name: 'cetacean-id', namespace: 'ml', annotations: { [REGISTRY_ENTRY_ANNOTATION]: 'effb4_15k' } });
    expect(m.spec.model).toEqual({
      name: 'cetacean-id',
      displayName: 'EfficientNet-B4 ArcFace 13 837-class',
      version: '1.0.0',
      architecture: 'CetaceanIdentificationModel',
      weightsUrl: 'https://models.example.org/cetacean/efficientnet_b4_512_fold0.ckpt',
      trainedAt: '2022-04-18T00:00:00Z',
      metrics: {
        tpr: 0.94, tnr: 0.91, scoreMean: 0.71,
        antiFraudRocAuc: 0.98, identificationTop1Accuracy: 0.24, identificationTop5Accuracy: 0.29, performanceLatencyP95Ms: 520.5, sampleSize: 200,
      },
    });
    expect(validateManifest(m)).toEqual([]);
  });

  it.each([
    ['release_name in the registry', 'cetacean-id', undefined, 'cetacean-id', 'cetacean-id'],
    ['--name alone', undefined, 'whales', 'whales', 'whales'],
    ['--name over release_name', 'cetacean-id', 'whales-canary', 'whales-canary', 'cetacean-id'],
  ])('keeps the release and model name when active moves (%s)', (_, releaseName, name, release, model) => {
    const first = releaseFromRegistry(runbook('effb4_15k', releaseName), { name });
    const second = releaseFromRegistry(runbook('effb4_v2', releaseName), { name });
    expect([first.metadata.name, first.spec.model.name, first.spec.model.version]).toEqual([release, model, '1.0.0']);
    expect([second.metadata.name, second.spec.model.name, second.spec.model.version]).toEqual([release, model, '2.0.0']);
    expect(second.metadata.annotations).toEqual({ [REGISTRY_ENTRY_ANNOTATION]: 'effb4_v2' });
    expect(validateManifest(second)).toEqual([]);
  });

  it('refuses free-form entry names without release_name or --name, saying what to add or pass', () => {
    expect(() => releaseFromRegistry(runbook('effb4_15k'))).toThrow(
      'is needed: entry "effb4_15k" is not named <family>-<version>, so no release name follows from it that stays the same when "active" moves. Add "release_name": "NAME" to the registry, or pass --name NAME',
    );
  });

  it('uses release_name for a <family>-<version> registry too', () => {
    const m = releaseFromRegistry({ ...goodRegistry(), release_name: 'species-prod' });
    expect([m.metadata.name, m.spec.model.name]).toEqual(['species-prod', 'species-prod']);
  });

  it('turns a trained_at date into midnight UTC and leaves date-times alone', () => {
    expect(trainedAtDateTime('2022-04-18')).toBe('2022-04-18T00:00:00Z');
    expect(trainedAtDateTime('2026-03-01T12:00:00+02:00')).toBe('2026-03-01T12:00:00+02:00');
  });
});

describe('manifestYaml', () => {
  it('gives the same bytes for the same input, in a fixed key order', () => {
    const a = manifestYaml(releaseFromRegistry(goodRegistry(), { namespace: 'ml' }));
    const reordered = goodRegistry();
    reordered.models.reverse();
    const entry = reordered.models[1]!;
    reordered.models[1] = Object.fromEntries(Object.entries(entry).reverse()) as typeof entry;
    const b = manifestYaml(releaseFromRegistry(reordered, { namespace: 'ml' }));
    expect(b).toBe(a);
    expect(a.split('\n').slice(0, 3)).toEqual(['apiVersion: serving.tern.dev/v1alpha1', 'kind: ModelRelease', 'metadata:']);
  });

  it('quotes timestamps so YAML 1.1 readers keep them strings, and parses back to the manifest', () => {
    const manifest = releaseFromRegistry(goodRegistry());
    const text = manifestYaml(manifest);
    expect(text).toContain('trainedAt: "2026-09-01T09:00:00Z"');
    expect(parse(text)).toEqual(manifest);
  });

  it('renders every entry of models/registry.json into a valid manifest', () => {
    const loaded = loadRegistry('models/registry.json');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    for (const entry of loaded.registry.models) {
      const m = releaseFromRegistry(loaded.registry, { entry: entry.name });
      expect([entry.name, validateManifest(parse(manifestYaml(m)))]).toEqual([entry.name, []]);
    }
  });
});
