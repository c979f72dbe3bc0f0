// Rendering registry entries into ModelRelease manifests: content, determinism, and validity.
import { parse } from 'yaml';
import { validateManifest } from '../api/validate.js';
import { loadRegistry } from './registry.js';
import { camelCase, manifestYaml, rebaseWeightsUrl, REGISTRY_ENTRY_ANNOTATION, releaseFromRegistry } from './render.js';
import { goodRegistry } from './testdata.js';

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
