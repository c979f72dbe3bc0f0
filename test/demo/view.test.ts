// The demo's view and summary as text: frames, plain lines (printed once per change) and the timeline trail.
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import { phaseTrail, renderSummary } from './summary.js';
import { bar, plainLines, plainMemo, renderFrame, type ViewState } from './view.js';

const release = (status: ModelRelease['status']): ModelRelease => ({
  apiVersion: 'serving.tern.dev/v1alpha1',
  kind: 'ModelRelease',
  metadata: { name: 'species', namespace: 'tern-demo' },
  spec: { model: { name: 'species', version: '1.1.0', weightsUrl: 'http://127.0.0.1/x.onnx', metrics: { tpr: 0.9, tnr: 0.9, scoreMean: 0.75 } }, rollout: { steps: [{ setWeight: 25, pause: '20s' }, { setWeight: 100, pause: '10s' }] } as ModelRelease['spec']['rollout'] },
  status,
});

const canary = release({
  phase: 'Canary',
  stable: { name: 'species', version: '1.0.0' },
  candidate: { name: 'species', version: '1.1.0' },
  currentStep: 0,
  canaryWeight: 25,
  analysis: [{ name: 'drift', track: 'canary', outcome: 'Successful', value: 0.0123, threshold: '< 0.1', measuredAt: '2026-01-01T00:00:00Z' }],
});

const state = (r: ModelRelease, now = 42_000): ViewState => ({
  startedAt: 0,
  now,
  act: '2/3 release species-1.1.0',
  release: r,
  events: [{ type: 'Normal', reason: 'StepStarted', note: 'step 1/2: 25% of live traffic to 1.1.0' }],
  split: { byVersion: { '1.0.0': 75, '1.1.0 (candidate)': 25 }, rps: 20, errors: 0 },
  log: [{ at: 1_000, text: 'registry active = species-1.1.0' }],
});

describe('demo view', () => {
  it('bar fills in proportion', () => {
    expect(bar(0.25, 8, '#', '.')).toBe('##......');
    expect(bar(2, 4, '#', '.')).toBe('####');
  });

  it('a frame shows phase, step, both weights as bars, the measured split, each check against its threshold and events', () => {
    const text = renderFrame(state(canary), 120).join('\n');
    expect(text).toContain('phase Canary');
    expect(text).toContain('step 1/2 · setWeight 25% · pause 20s');
    expect(text).toMatch(/stable\s+1\.0\.0\s+█+░+\s+75%/);
    expect(text).toMatch(/candidate 1\.1\.0\s+█+░+\s+25%/);
    expect(text).toContain('1.0.0 75% · 1.1.0 (candidate) 25%');
    expect(text).toMatch(/ok\s+drift\s+0\.012\s+vs < 0\.1/);
    expect(text).toContain('StepStarted');
    for (const line of renderFrame(state(canary), 60)) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('plain output prints each change once', () => {
    const memo = plainMemo();
    const first = plainLines(state(canary), memo);
    expect(first.join('\n')).toMatch(/registry active[\s\S]*phase Canary stable 1\.0\.0 candidate 1\.1\.0 weight 25% step 1[\s\S]*check ok\s+drift[\s\S]*event Normal\s+StepStarted/);
    expect(plainLines(state(canary, 43_000), memo)).toEqual([]);
    const failed = release({ ...canary.status, phase: 'RolledBack', canaryWeight: 0, analysis: [{ ...canary.status!.analysis![0]!, outcome: 'Failed', value: 0.41 }] });
    const next = plainLines(state(failed, 44_000), memo).join('\n');
    expect(next).toContain('phase RolledBack');
    expect(next).toMatch(/check FAIL drift\s+0\.41/);
  });
});

describe('demo summary', () => {
  const timeline = [
    { at: 0, phase: 'Healthy', stable: '1.0.0', weight: 0 },
    { at: 2_000, phase: 'Staging', stable: '1.0.0', candidate: '1.1.0', weight: 0 },
    { at: 7_000, phase: 'Canary', stable: '1.0.0', candidate: '1.1.0', step: 0, weight: 25 },
    { at: 27_000, phase: 'Promoting', stable: '1.0.0', candidate: '1.1.0', weight: 100 },
    { at: 30_000, phase: 'Healthy', stable: '1.1.0', weight: 0 },
  ];

  it('the trail of an act names each phase and step with how long it lasted', () => {
    expect(phaseTrail(timeline, 1_000, 31_000)).toBe('Healthy 1s → Staging 5s → Canary 25% 20s → Promoting 3s → Healthy');
  });

  it('says where to look next, depending on whether everything still runs', () => {
    const input = {
      startedAt: 0, endedAt: 31_000, acts: [{ title: '2/3 release species-1.1.0', startedAt: 1_000, endedAt: 31_000 }], timeline,
      namespace: 'tern-demo', kubeconfig: '/k/kubeconfig', kubectl: '/bin/kubectl', prometheusUrl: 'http://127.0.0.1:9090', logsDir: '/l', manifestFile: '/m.yaml', registryFile: '/r/registry.json',
      totals: { requests: 10, byVersion: { '1.0.0': 10 }, byStatus: { 200: 10 } },
    };
    const kept = renderSummary({ ...input, kept: true }).join('\n');
    expect(kept).toContain('KUBECONFIG=/k/kubeconfig');
    expect(kept).toContain('make cluster-shell');
    expect(kept).toContain('get mr -n tern-demo');
    expect(kept).toContain('http://127.0.0.1:9090');
    expect(kept).toContain('charts/tern/files/dashboards');
    expect(kept).toContain('tern registry record species -n tern-demo --registry /r/registry.json');
    expect(kept).toContain('10 requests (1.0.0: 10); all 2xx');
    const stopped = renderSummary({ ...input, kept: false }).join('\n');
    expect(stopped).toContain('Everything the demo started has been stopped');
    expect(stopped).not.toContain('tern registry record'); // the release is gone with the namespace
  });
});
