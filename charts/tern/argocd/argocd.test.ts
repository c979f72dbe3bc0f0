// The Argo CD health check and actions for ModelRelease, run with Debian's lua5.1 (Argo CD runs Lua 5.1)
// against the status objects in testdata/ (Argo CD's own test-file format), and the argocd-cm snippet's freshness.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ACTION_NAMES, type ActionName, CUSTOMIZATIONS_DIR, discoverActions, healthOf, runAction } from '../../lib/argocd.js';
import { REPO_ROOT } from '../../lib/conventions.js';
import { toLua } from '../../lib/lua.js';
import { run } from '../../lib/tools.js';

const load = (path: string): Record<string, unknown> => parse(readFileSync(`${CUSTOMIZATIONS_DIR}/${path}`, 'utf8')) as Record<string, unknown>;

interface HealthCase {
  healthStatus: { status: string; message: string };
  inputPath: string;
}
interface ActionTests {
  discoveryTests: { inputPath: string; result: { name: string; disabled: boolean }[] }[];
  actionTests: { action: ActionName; inputPath: string }[];
}
const healthCases = (load('health_test.yaml') as unknown as { tests: HealthCase[] }).tests;
const actionTests = load('actions/action_test.yaml') as unknown as ActionTests;

describe('health.lua', () => {
  it.each(healthCases.map((c) => [c.inputPath, c] as const))('%s', (_path, c) => {
    expect(healthOf(load(c.inputPath))).toEqual(c.healthStatus);
  });

  it('covers every phase', () => {
    const phases = new Set(healthCases.map((c) => (load(c.inputPath).status as { phase?: string } | undefined)?.phase));
    for (const phase of ['Staging', 'Canary', 'Paused', 'Promoting', 'Healthy', 'RolledBack', 'Failed', undefined]) expect(phases).toContain(phase);
  });

  it('treats an unknown phase as Unknown, not Healthy', () => {
    const release = load('testdata/healthy.yaml');
    (release.status as { phase: string }).phase = 'Exploded';
    expect(healthOf(release)).toEqual({ status: 'Unknown', message: 'Unknown phase Exploded' });
  });
});

describe('actions', () => {
  it.each(actionTests.discoveryTests.map((t) => [t.inputPath, t] as const))('discovery on %s', (_path, t) => {
    const found = discoverActions(load(t.inputPath));
    expect(Object.entries(found).map(([name, a]) => ({ name, disabled: a.disabled })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      [...t.result].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('offers exactly the tern CLI commands', () => {
    expect(Object.keys(discoverActions(load('testdata/canary.yaml'))).sort()).toEqual([...ACTION_NAMES].sort());
  });

  it.each(actionTests.actionTests.map((t) => [t.action, t.inputPath, t] as const))('%s on %s sets the command annotation and a fresh nonce, nothing else', (_a, _p, t) => {
    const input = load(t.inputPath);
    const output = runAction(t.action, input);
    const annotations = output.metadata.annotations ?? {};
    expect(annotations['serving.tern.dev/command']).toBe(t.action);
    expect(annotations['serving.tern.dev/command-nonce']).toMatch(new RegExp(`^argocd-${t.action}-\\d{8}T\\d{6}Z-\\d+$`));
    const { annotations: _dropped, ...metadataRest } = output.metadata as Record<string, unknown>;
    const { annotations: _none, ...inputMetadata } = input.metadata as Record<string, unknown>;
    expect({ ...output, metadata: metadataRest }).toEqual({ ...input, metadata: inputMetadata });
  });

  it('keeps annotations that were there and gives each invocation a new nonce', () => {
    const release = load('testdata/canary.yaml') as { metadata: Record<string, unknown> };
    release.metadata.annotations = { 'argocd.argoproj.io/sync-wave': '1' };
    const first = runAction('pause', release);
    release.metadata.resourceVersion = '1001';
    const second = runAction('pause', release);
    expect(first.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(first.metadata.annotations?.['serving.tern.dev/command-nonce']).not.toBe(second.metadata.annotations?.['serving.tern.dev/command-nonce']);
  });
});

describe('the Lua harness', () => {
  it('encodes strings with quotes, newlines and non-ASCII as Lua literals', () => {
    expect(toLua({ a: ['x"y\\z\n', 1.5, true, null] })).toBe('{["a"] = {"x\\"y\\\\z\\10", 1.5, true, nil}}');
    const release = load('testdata/rolled-back.yaml');
    const degraded = (release.status as { conditions: { type: string; message: string }[] }).conditions.find((c) => c.type === 'Degraded');
    if (degraded) degraded.message = 'drift — score “0.61”\n(see events)';
    expect(healthOf(release).message).toBe('RolledBack: drift — score “0.61”\n(see events)');
  });
});

describe('argocd-cm.yaml', () => {
  it('is rendered from the Lua files (node charts/tools/render-argocd-cm.js)', () => {
    const result = run('node', [`${REPO_ROOT}charts/tools/render-argocd-cm.js`, '--check']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
