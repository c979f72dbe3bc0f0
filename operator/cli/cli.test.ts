// The tern CLI in-process: output lines and exit codes (0 ok, 1 invalid input, 2 usage) of every command.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { goodManifest } from '../api/testdata/bad-manifests.js';
import { manifestYaml, releaseFromRegistry } from '../registry/render.js';
import { goodRegistry, RUNBOOK_DIR, runbookCopy } from '../registry/testdata.js';
import { runCli } from './cli.js';
import { COMMANDS } from './commands/index.js';

interface Run { code: number; stdout: string; stderr: string }
async function tern(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: process.cwd() });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'tern-cli-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('tern dispatcher', () => {
  it('lists the commands on --help (exit 0) and without a command (exit 2)', async () => {
    const help = await tern('--help');
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.path.join(' '));
    expect((await tern()).code).toBe(2);
  });

  it('lists a group: `tern registry` exits 2, `tern registry --help` exits 0', async () => {
    expect((await tern('registry')).code).toBe(2);
    const help = await tern('registry', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('registry render');
    expect(help.stdout).not.toMatch(/^ {2}validate /m);
  });

  it('exits 2 on an unknown command, a missing argument or an unknown option', async () => {
    expect(await tern('deploy')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "deploy"') as string });
    expect((await tern('registry', 'validate')).code).toBe(2);
    expect((await tern('registry', 'validate', 'a.json', 'b.json')).code).toBe(2);
    expect(await tern('registry', 'validate', '--bogus', 'a.json')).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'") as string });
  });

  it.each(COMMANDS.map((c) => [c.path.join(' '), c] as const))('`tern %s --help` shows its usage and exits 0', async (name, command) => {
    const run = await tern(...command.path, '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: tern ${name}`);
  });
});

describe('tern registry validate', () => {
  it('exits 0 on models/registry.json', async () => {
    expect(await tern('registry', 'validate', 'models/registry.json')).toEqual({
      code: 0,
      stdout: 'models/registry.json: ok (3 models, active species-1.0.0)\n',
      stderr: '',
    });
  });

  it('exits 1 and prints every problem as FILE: /pointer: message', async () => {
    const registry = goodRegistry() as unknown as Record<string, unknown>;
    registry.active = 'species-2.0.0';
    (registry.models as Record<string, unknown>[])[1]!.version = 'latest';
    const path = file('bad-registry.json', JSON.stringify(registry));
    const run = await tern('registry', 'validate', path);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${path}: /models/1/version: must be a semantic version such as "1.2.0"\n` +
        `${path}: /active: names no entry of models (known: species-1.0.0, species-1.1.0)\n`,
    );
  });

  it('exits 0 on the runbook-shaped registry (free-form names, "1.0", a date, snapshot files)', async () => {
    expect(await tern('registry', 'validate', `${RUNBOOK_DIR}/registry.json`)).toEqual({
      code: 0,
      stdout: `${RUNBOOK_DIR}/registry.json: ok (2 models, active effb4_15k)\n`,
      stderr: '',
    });
  });

  it('exits 1 naming the entry and the path of a snapshot that cannot be read', async () => {
    const path = runbookCopy((r) => (r.models[1]!.metrics_snapshot = 'reports/gone.json'));
    expect(await tern('registry', 'validate', path)).toMatchObject({ code: 1, stdout: `${path}: /models/1/metrics_snapshot: reports/gone.json (entry effb4_v2): cannot read the file (ENOENT)\n` });
  });

  it('exits 1 on a file that does not exist', async () => {
    expect(await tern('registry', 'validate', join(dir, 'none.json'))).toMatchObject({ code: 1, stdout: `${join(dir, 'none.json')}: /: cannot read the file (ENOENT)\n` });
  });
});

describe('tern registry render', () => {
  const registryPath = file('registry.json', JSON.stringify(goodRegistry()));

  it('prints the active entry as YAML, the same bytes every time', async () => {
    const first = await tern('registry', 'render', registryPath, '--namespace', 'ml');
    const second = await tern('registry', 'render', registryPath, '--namespace', 'ml');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(manifestYaml(releaseFromRegistry(goodRegistry(), { namespace: 'ml' })));
    expect(second.stdout).toBe(first.stdout);
  });

  it('writes DIR/<name>.yaml with --out, honouring --name, --entry and --weights-base-url', async () => {
    const out = join(dir, 'out');
    const run = await tern('registry', 'render', registryPath, '--out', out, '--name', 'canary', '--entry', 'species-1.1.0', '--weights-base-url', 'http://127.0.0.1:9/');
    expect(run.code).toBe(0);
    expect(readFileSync(join(out, 'canary.yaml'), 'utf8')).toBe(
      manifestYaml(releaseFromRegistry(goodRegistry(), { name: 'canary', entry: 'species-1.1.0', weightsBaseUrl: 'http://127.0.0.1:9/' })),
    );
    expect(readFileSync(join(out, 'canary.yaml'), 'utf8')).toContain('weightsUrl: http://127.0.0.1:9/species-1.1.0.onnx');
  });

  it('exits 2 on a --weights-base-url that is not a URL', async () => {
    expect((await tern('registry', 'render', registryPath, '--weights-base-url', '127.0.0.1:9')).code).toBe(2);
  });

  it('exits 1 on an unknown --entry, an invalid registry, or a name that cannot be a release name', async () => {
    expect((await tern('registry', 'render', registryPath, '--entry', 'species-9.0.0')).code).toBe(1);
    const invalid = goodRegistry() as unknown as Record<string, unknown>;
    delete invalid.active;
    expect(await tern('registry', 'render', file('no-active.json', JSON.stringify(invalid)))).toMatchObject({ code: 1, stdout: '' });
    const numeric = goodRegistry();
    numeric.models[0]!.name = '1.0.0';
    numeric.active = '1.0.0';
    const run = await tern('registry', 'render', file('numeric.json', JSON.stringify(numeric)));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/release_name: is needed: entry "1.0.0" is not named <family>-<version>');
    expect((await tern('registry', 'render', file('numeric.json', JSON.stringify(numeric)), '--name', 'species')).code).toBe(0);
  });
});

describe('tern registry render on the runbook-shaped registry', () => {
  it('exits 1 without a release name, saying to add release_name or pass --name', async () => {
    const path = `${RUNBOOK_DIR}/registry.json`;
    const run = await tern('registry', 'render', path);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^${path}: /release_name: is needed: .*Add "release_name": "NAME" to the registry, or pass --name NAME`));
  });

  it('renders both entries under the same release name as active moves', async () => {
    const first = await tern('registry', 'render', runbookCopy(), '--name', 'whales');
    const second = await tern('registry', 'render', runbookCopy((r) => (r.active = 'effb4_v2')), '--name', 'whales');
    expect([first.code, second.code, first.stderr, second.stderr]).toEqual([0, 0, '', '']);
    for (const run of [first, second]) expect(run.stdout).toMatch(/^metadata:\n {2}name: whales\n/m);
    expect(first.stdout).toContain('weightsUrl: https://models.example.org/cetacean/efficientnet_b4_512_fold0.ckpt');
    expect(second.stdout).toContain('version: 2.0.0');
    const named = await tern('registry', 'render', runbookCopy((r) => ((r.release_name = 'whales'), (r.active = 'effb4_v2'))));
    expect(named.stdout).toBe(second.stdout);
  });
});

describe('tern validate', () => {
  it('exits 0 on good manifests and skips documents of other API groups', async () => {
    const path = file('good.yaml', `${stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml' } })}---\n${stringify(goodManifest())}`);
    expect(await tern('validate', path)).toEqual({ code: 0, stdout: `${path}: ok (1 ModelRelease, 1 other document(s) skipped)\n`, stderr: '' });
  });

  it('exits 1 and labels problems with the document number in multi-document files', async () => {
    const badOne = goodManifest('second');
    (badOne.spec as Record<string, unknown>).rollout = { steps: [{ setWeight: 50 }, { setWeight: 5 }] };
    const path = file('multi.yaml', `${stringify(goodManifest())}---\n${stringify(badOne)}`);
    const single = file('single.json', JSON.stringify({ ...goodManifest(), kind: 'Model' }));
    const run = await tern('validate', path, single);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${path}#2: /spec/rollout/steps: setWeight must strictly increase from step to step\n${single}: /kind: must be ModelRelease\n`,
    );
  });

  it('exits 1 on YAML that does not parse and on a missing file', async () => {
    const broken = file('broken.yaml', 'spec: [unclosed\n');
    expect((await tern('validate', broken)).code).toBe(1);
    expect((await tern('validate', join(dir, 'nothing.yaml'))).code).toBe(1);
  });

  it('reports a YAML alias bomb as bad YAML, without a stack trace, and goes on to the next file', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const bomb = file('bomb.yaml', `${laughs.join('\n')}\n`);
    const good = file('after-bomb.yaml', stringify(goodManifest()));
    const run = await tern('validate', bomb, good);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^${bomb}: /: is not valid YAML: .*alias`, 'i'));
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe(`${good}: ok (1 ModelRelease)\n`);
  });

  it('applies the API server\'s limits: 256 KiB of annotations, qualified annotation keys, 1.5 MiB per object', async () => {
    const big = goodManifest();
    (big.metadata as Record<string, unknown>).annotations = { 'example.com/notes': 'x'.repeat(300 * 1024) };
    const badKey = goodManifest();
    (badKey.metadata as Record<string, unknown>).annotations = { 'not a key!': 'v' };
    const huge = goodManifest();
    (huge.metadata as Record<string, unknown>).labels = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`l${i}`, 'v']));
    (huge.spec as Record<string, unknown>).description = 'y'.repeat(2 * 1024 * 1024);
    const run = await tern('validate', file('big.json', JSON.stringify(big)), file('badkey.json', JSON.stringify(badKey)));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('big.json: /metadata/annotations: Too long: may not be more than 262144 bytes (these are 307217)');
    expect(run.stdout).toContain('badkey.json: /metadata/annotations: Invalid value: "not a key!": name part must consist of alphanumeric characters');
    const hugeRun = await tern('validate', file('huge.json', JSON.stringify(huge)));
    expect(hugeRun.stdout).toMatch(/huge\.json: \/: is \d+ bytes as JSON; the API server stores at most 1572864 bytes per object/);
  });

  it('validates the examples in the repository', async () => {
    const run = await tern('validate', 'operator/api/examples/species-minimal.yaml', 'operator/api/examples/species-prometheus.yaml');
    expect(run.code).toBe(0);
  });
});
