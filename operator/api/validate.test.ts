// Offline validation: every bad manifest of the table gives exactly its one error; good manifests give none.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BAD_MANIFESTS, apiserverPath, goodManifest } from './testdata/bad-manifests.js';
import { validateManifest, validateSpec } from './validate.js';

const EXAMPLES = 'operator/api/examples';
/** Folders where good ModelRelease manifests live (Helm templates/ folders are skipped). */
const GOOD_MANIFEST_DIRS = [EXAMPLES, 'examples', 'docs', 'charts'];

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'templates' ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every ModelRelease document in the folders above, as [file#n, manifest]. */
function repoModelReleases(): [string, unknown][] {
  return GOOD_MANIFEST_DIRS.flatMap(yamlFiles).flatMap((file) => {
    return parseAllDocuments(readFileSync(file, 'utf8'))
      .map((doc, i): [string, unknown] => [`${file}#${i + 1}`, doc.toJS()])
      .filter(([, value]) => (value as { kind?: unknown } | null)?.kind === 'ModelRelease');
  });
}

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

describe('good ModelRelease manifests in the repository', () => {
  const manifests = repoModelReleases();
  it('finds the examples', () => expect(manifests.filter(([f]) => f.startsWith(EXAMPLES)).length).toBeGreaterThanOrEqual(4));
  it.each(manifests)('%s validates', (_, manifest) => {
    expect(validateManifest(manifest)).toEqual([]);
  });
});

describe('apiserverPath', () => {
  it('writes array indexes in brackets', () => {
    expect(apiserverPath('/spec/rollout/steps/1/pause')).toBe('spec.rollout.steps[1].pause');
    expect(apiserverPath('/metadata/name')).toBe('metadata.name');
  });
});
