// Offline validation: every bad manifest of the table gives exactly its one error; good manifests give none.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BAD_MANIFESTS, apiserverPath, goodManifest } from './testdata/bad-manifests.js';
import { validateManifest, validateSpec } from './validate.js';

const EXAMPLES = 'operator/api/examples';

describe('validateManifest', () => {
  it('accepts the minimal good manifest', () => {
    expect(validateManifest(goodManifest())).toEqual([]);
  });

  it('has a table of at least 25 bad manifests with distinct names', () => {
    expect(BAD_MANIFESTS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(BAD_MANIFESTS.map((b) => b.name)).size).toBe(BAD_MANIFESTS.length);
  });

  it.each(BAD_MANIFESTS.map((b) => [b.name, b] as const))('rejects: %s', (_, entry) => {
    expect(validateManifest(entry.manifest)).toEqual([{ pointer: entry.pointer, message: entry.message }]);
  });

  it('reports every problem of a manifest with several, sorted by pointer', () => {
    const m = goodManifest();
    m.spec.rollout = { steps: [{ setWeight: 50 }, { setWeight: 10 }], analysis: { interval: '0s' } };
    m.spec.serving = { replicas: 0 };
    expect(validateManifest(m).map((e) => e.pointer)).toEqual([
      '/spec/rollout/analysis/interval',
      '/spec/rollout/steps',
      '/spec/serving/replicas',
    ]);
  });

  it('does not change its input while defaulting', () => {
    const m = goodManifest();
    const before = JSON.stringify(m);
    validateManifest(m);
    expect(JSON.stringify(m)).toBe(before);
  });

  it('rejects what is not an object, and a manifest without metadata or spec', () => {
    expect(validateManifest('hello')).toEqual([{ pointer: '', message: 'must be an object (a ModelRelease manifest)' }]);
    expect(validateManifest({ apiVersion: 'serving.tern.dev/v1alpha1', kind: 'ModelRelease' })).toEqual([
      { pointer: '/metadata', message: 'is required and must be an object with a name' },
      { pointer: '/spec', message: 'is required' },
    ]);
  });

  it('validates a spec alone with pointers from the given base', () => {
    expect(validateSpec({ model: {} }, '')).toContainEqual({ pointer: '/model/version', message: 'is required' });
  });
});

describe('good examples in the repository', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  it('has examples', () => expect(files.length).toBeGreaterThanOrEqual(3));
  it.each(files)('%s validates', (file) => {
    for (const doc of parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8'))) {
      expect(doc.errors).toEqual([]);
      expect(validateManifest(doc.toJS())).toEqual([]);
    }
  });
});

describe('apiserverPath', () => {
  it('writes array indexes in brackets', () => {
    expect(apiserverPath('/spec/rollout/steps/1/pause')).toBe('spec.rollout.steps[1].pause');
    expect(apiserverPath('/metadata/name')).toBe('metadata.name');
  });
});
