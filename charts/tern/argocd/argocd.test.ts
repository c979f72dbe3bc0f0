// The Argo CD health check and actions for ModelRelease as argocd-cm.yaml ships them, run in gopher-lua (the
// interpreter Argo CD embeds, with Argo CD's libraries: charts/tools/argocd-lua) against the status objects in
// testdata/ (Argo CD's own test-file format), and the argocd-cm snippet's freshness.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ACTION_NAMES, type ActionName, CUSTOMIZATIONS_DIR, type Customizations, discoverActions, healthOf, runAction, shippedCustomizations } from '../../lib/argocd.js';
import { runArgocdLua } from '../../lib/argocd-lua.js';
import { REPO_ROOT } from '../../lib/conventions.js';
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

  it('gives back empty objects and lists of the live object as they were (one empty Lua table stands for both)', () => {
    const release = load('testdata/canary.yaml') as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    release.metadata.labels = {};
    release.metadata.finalizers = [];
    release.spec.extra = { nested: {}, list: [{ inner: {} }] };
    const output = runAction('abort', release) as unknown as typeof release;
    expect(output.metadata.labels).toEqual({});
    expect(output.metadata.finalizers).toEqual([]);
    expect(output.spec.extra).toEqual({ nested: {}, list: [{ inner: {} }] });
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

describe('gopher-lua as Argo CD runs it', () => {
  const release = load('testdata/rolled-back.yaml');
  const withHealth = (health: string, openLibs = false): Customizations => ({ ...shippedCustomizations(), health, openLibs });
  const lua51Only = [
    ['string.format', 'hs.message = string.format("%s at %d%%", obj.status.phase, 5)'],
    ['a string method', 'hs.message = obj.status.phase:lower()'],
    ['math.floor', 'hs.message = tostring(math.floor(2.5))'],
    ['os.clock', 'hs.message = tostring(os.clock())'],
  ] as const;

  it('passes quotes, newlines and non-ASCII through the JSON bridge both ways', () => {
    const degraded = (release.status as { conditions: { type: string; message: string }[] }).conditions.find((c) => c.type === 'Degraded');
    if (degraded) degraded.message = 'drift — score “0.61” "quoted" \\ back\n(see events)';
    expect(healthOf(release).message).toBe(`RolledBack: ${degraded?.message}`);
  });

  it('ships without useOpenLibs, so the scripts get only base, table and os.date/os.time', () => {
    expect(shippedCustomizations().openLibs).toBe(false);
  });

  // Each works in C Lua 5.1 (the lua5.1 harness these tests used before ran all four): Argo CD refuses them.
  it.each(lua51Only)('refuses %s, which Lua 5.1 has but Argo CD does not open', (_what, line) => {
    const script = `local hs = { status = "Healthy" }\n${line}\nreturn hs`;
    expect(() => healthOf(release, withHealth(script))).toThrow(/gopher-lua \(health script\) failed: .*(attempt to (index|call) a non-(table|function) object|nil)/);
    expect(healthOf(release, withHealth(script, true)).status).toBe('Healthy');
  });

  it('answers an unknown status as Argo CD does, and refuses a result that is not a table', () => {
    expect(healthOf(release, withHealth('return { status = "Fine", message = "x" }'))).toEqual({ status: 'Unknown', message: 'Lua returned an invalid health status' });
    expect(() => healthOf(release, withHealth('return "Healthy"'))).toThrow(/expect table output from Lua script, not string/);
  });

  it('stops a script that runs past Argo CD\'s one-second deadline', () => {
    expect(() => runArgocdLua({ mode: 'health', script: 'while true do end', obj: {} })).toThrow(/context deadline exceeded/);
  });
});

describe('the action scripts', () => {
  it('are one template: they differ only in the command word and the CLI command of the header', () => {
    const { actions } = shippedCustomizations();
    expect(Object.keys(actions)).toEqual([...ACTION_NAMES]);
    const cli = (name: string): string => (name === 'promote-full' ? 'tern promote --full' : `tern ${name}`);
    const generic = Object.entries(actions).map(([name, script]) => script.replace(cli(name), 'CLI').replaceAll(`"${name}"`, '"COMMAND"'));
    expect(new Set(generic).size).toBe(1);
    expect(generic[0]).toContain('local command = "COMMAND"');
  });
});

describe('argocd-cm.yaml', () => {
  it('is rendered from the Lua files (node charts/tools/render-argocd-cm.js)', () => {
    const result = run('node', [`${REPO_ROOT}charts/tools/render-argocd-cm.js`, '--check']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
