// `tern registry record`: the file edit through the command's helper (no cluster), and its usage errors.
import { readFileSync } from 'node:fs';
import type { ModelRelease } from '../../api/model-release-schema.js';
import { loadRegistry } from '../../registry/registry.js';
import { manifestYaml, releaseFromRegistry } from '../../registry/render.js';
import { runbookCopy } from '../../registry/testdata.js';
import { runCli } from '../cli.js';
import { recordIntoFile } from './registry-record.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), cwd: process.cwd() } };
}

const T = '2026-11-03T10:05:00.000Z';
const released: ModelRelease = {
  apiVersion: 'serving.tern.dev/v1alpha1',
  kind: 'ModelRelease',
  metadata: { name: 'whales', namespace: 'ml' },
  spec: { model: { name: 'whales', version: '2.0.0', weightsUrl: 'https://x/m.onnx', metrics: { tpr: 0.9, tnr: 0.9, scoreMean: 0.7 } } },
  status: {
    phase: 'Healthy',
    stable: { name: 'whales', version: '2.0.0' },
    history: [
      { version: '2.0.0', outcome: 'Promoted', startedAt: T, finishedAt: T, steps: [{ step: 1, weight: 100, startedAt: T, seconds: 0, checks: [] }] },
      { version: '1.0.0', outcome: 'Promoted', startedAt: T, finishedAt: T },
    ],
  },
};

describe('tern registry record', () => {
  it('writes stages and results into the file, then finds it up to date; render makes the same manifest', () => {
    const file = runbookCopy();
    const render = () => {
      const loaded = loadRegistry(file);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
      return manifestYaml(releaseFromRegistry(loaded.registry, { name: 'whales' }));
    };
    const manifestBefore = render();
    const first = io();
    expect(recordIntoFile(file, released, first.io)).toBe(0);
    expect(first.out.stdout).toBe(
      `${file}: wrote effb4_15k: stage retired (Promoted 1.0.0 at ${T})\n${file}: wrote effb4_v2: stage production (Promoted 2.0.0 at ${T})\nReview and commit it: git diff -- ${file}\n`,
    );
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { models: { stage?: string }[] };
    expect(recorded.models.map((m) => m.stage)).toEqual(['retired', 'production']);
    expect(render()).toBe(manifestBefore);
    const again = io();
    expect(recordIntoFile(file, released, again.io)).toBe(0);
    expect(again.out.stdout).toBe(`${file}: already up to date (2 entries)\n`);
  });

  it('--dry-run writes nothing', () => {
    const file = runbookCopy();
    const before = readFileSync(file, 'utf8');
    const run = io();
    expect(recordIntoFile(file, released, run.io, true)).toBe(0);
    expect(run.out.stdout).toContain('would write effb4_v2: stage production');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses an invalid registry and leaves it as it was', () => {
    const file = runbookCopy((r) => (r.active = 'nope'));
    const before = readFileSync(file, 'utf8');
    const run = io();
    expect(recordIntoFile(file, released, run.io)).toBe(1);
    expect(run.out.stderr).toBe(`${file}: /active: names no entry of models (known: effb4_15k, effb4_v2)\n${file}: not recorded: fix the registry first\n`);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses a version two entries share', () => {
    const file = runbookCopy((r) => (r.models[1]!.version = '1.0.0'));
    const run = io();
    expect(recordIntoFile(file, released, run.io)).toBe(1);
    expect(run.out.stderr).toContain('version 1.0.0 is held by entries effb4_15k, effb4_v2');
  });

  it('exits 2 without --registry, before reaching for a cluster', async () => {
    const run = io();
    expect(await runCli(['registry', 'record', 'whales'], run.io)).toBe(2);
    expect(run.out.stderr).toContain('--registry FILE is required');
  });
});
