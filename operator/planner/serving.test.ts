// Serving changes are releases too (docs/serving-changes.md): a change of spec.serving that changes the pods
// goes through staging and the canary steps with the same analysis while the stable track keeps its serving
// config; replicas apply directly; rollbacks and restores return to the stable serving config. Injected
// clock, simulated cluster, including an operator restart mid-release.
import type { ModelReleaseSpec, ModelReleaseStatus } from '../api/model-release-schema.js';
import { buildDeployment } from '../desired/deployment.js';
import { podServing, revisionOf } from '../model/pod-serving.js';
import { ROLLBACK_SCALE_DOWN_DELAY_MS } from './desired.js';
import { plan } from './plan.js';
import { Simulation, SHA_B, contractJudge, newModel, newRelease, result, routerScale, track } from './testing.js';
import type { Desired } from './types.js';

const MIN = 60_000;
const STEPS = [{ setWeight: 50, pause: '1m' }, { setWeight: 100, pause: '1m' }];
const ok = (sim: Simulation) => [result('rejectionRatio', 'Successful', sim.now, 0.2)];
const rejectsAll = (sim: Simulation) => [{ ...result('rejectionRatio', 'Failed', sim.now, 1), threshold: '<= 0.5' }];

/** 1.0.0 Healthy (4 replicas, rejection threshold 0.5). */
function healthy(rollout: Partial<ModelReleaseSpec['rollout']> = {}): Simulation {
  const serving = { replicas: 4, rejectionThreshold: 0.5 } as ModelReleaseSpec['serving'];
  const sim = new Simulation(newRelease('1.0.0', { spec: { serving, rollout: { steps: STEPS, bakeTime: '0s', ...rollout } as ModelReleaseSpec['rollout'] } }));
  sim.pass();
  sim.pass();
  expect(sim.status.phase).toBe('Healthy');
  return sim;
}

/** The --rejection-threshold the Deployment of a desired track runs with. */
function thresholdOf(sim: Simulation, t: Desired['stable']): string | undefined {
  const d = buildDeployment(sim.release, 'stable', t!.model, t!.replicas);
  const args = (d.spec?.template as { spec: { containers: { args: string[] }[] } }).spec.containers[0]!.args;
  const i = args.indexOf('--rejection-threshold');
  return i >= 0 ? args[i + 1] : undefined;
}

/** Passes (1 min apart, measurements `m`) until `phase` or 12 passes. */
function until(sim: Simulation, phase: string, m = ok): void {
  for (let i = 0; i < 12 && sim.status.phase !== phase; i++) {
    sim.advance(MIN);
    sim.pass({ measurements: m(sim) });
  }
  expect(sim.status.phase).toBe(phase);
}

describe('a serving change is a release', () => {
  it('a new rejection threshold goes through staging and every step; stable keeps the old one until promotion', () => {
    const sim = healthy();
    sim.setServing({ rejectionThreshold: 0.9 });
    const started = sim.pass();
    expect(sim.status.phase).toBe('Staging');
    expect(sim.status.candidate).toMatchObject({ version: '1.0.0', change: 'serving: rejectionThreshold 0.5 -> 0.9', serving: { rejectionThreshold: 0.9 } });
    expect(sim.status.stable?.serving?.rejectionThreshold).toBe(0.5);
    expect(started.events).toContainEqual(expect.objectContaining({ reason: 'RolloutStarted', note: expect.stringContaining('spec.serving changed (serving: rejectionThreshold 0.5 -> 0.9)') }));
    expect(sim.status.message).toContain('(serving: rejectionThreshold 0.5 -> 0.9)');
    expect(thresholdOf(sim, started.desired.stable)).toBe('0.5');
    expect(thresholdOf(sim, started.desired.candidate)).toBe('0.9');

    const seen: string[] = [];
    for (let i = 0; i < 12 && sim.status.phase !== 'Healthy'; i++) {
      const res = sim.pass({ measurements: ok(sim) });
      seen.push(`${sim.status.phase}${sim.status.currentStep ?? ''}`);
      // Until the stable track is re-templated in promotion, the stable Deployment keeps the old config.
      const phase: string | undefined = sim.status.phase;
      if (phase !== 'Promoting' && phase !== 'Healthy') expect(thresholdOf(sim, res.desired.stable)).toBe('0.5');
      if (res.desired.previous && res.desired.previous.replicas > 0) expect(thresholdOf(sim, res.desired.previous)).toBe('0.5');
      sim.advance(MIN);
    }
    expect(seen).toEqual(expect.arrayContaining(['Canary0', 'Canary1', 'Healthy']));
    expect(sim.status.stable).toMatchObject({ version: '1.0.0', serving: { rejectionThreshold: 0.9 } });
    expect(thresholdOf(sim, sim.last!.desired.stable)).toBe('0.9');
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.0.0', outcome: 'Promoted', change: 'serving: rejectionThreshold 0.5 -> 0.9' });
    expect(sim.status.history?.[0]?.steps?.map((s) => s.weight)).toEqual([50, 100]);
  });

  it('replicas apply directly: no release, the stable track just scales', () => {
    const sim = healthy();
    sim.setServing({ replicas: 6 });
    const res = sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.candidate).toBeUndefined();
    expect(res.desired.stable?.replicas).toBe(6);
    expect(res.events).toEqual([]);
  });

  it('a threshold that rejects everything fails rejectionRatio and is rolled back; stable keeps its config throughout', () => {
    const sim = healthy();
    sim.setServing({ rejectionThreshold: 1 });
    sim.pass();
    sim.pass();
    expect(sim.status.phase).toBe('Canary');
    sim.advance(10_000);
    const res = sim.pass({ measurements: rejectsAll(sim) });
    expect(sim.status.phase).toBe('RolledBack');
    expect(sim.status.stable).toMatchObject({ version: '1.0.0', serving: { rejectionThreshold: 0.5 } });
    expect(thresholdOf(sim, res.desired.stable)).toBe('0.5');
    expect(res.desired.weights.candidate).toBe(0);
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.0.0', outcome: 'RolledBack', change: 'serving: rejectionThreshold 0.5 -> 1', failedCheck: { name: 'rejectionRatio', value: 1 } });
    expect(res.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'RolledBack', note: expect.stringContaining('(serving: rejectionThreshold 0.5 -> 1) rolled back') }));
    expect(sim.status.message).toContain('Change spec.serving');
    // The spec still asks for threshold 1: nothing restarts it; the candidate pods go after the drain delay.
    sim.advance(ROLLBACK_SCALE_DOWN_DELAY_MS + 1);
    const later = sim.pass();
    expect(sim.status.phase).toBe('RolledBack');
    expect(later.desired.candidate?.replicas).toBe(0);
    // Git reverts the threshold: Healthy again, no release.
    sim.setServing({ rejectionThreshold: 0.5 });
    sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.candidate).toBeUndefined();
  });

  it('a failed bake of a serving change restores the previous serving config at once (warm previous track)', () => {
    const sim = healthy({ bakeTime: '30m' });
    sim.setServing({ rejectionThreshold: 0.9 });
    sim.pass();
    until(sim, 'Healthy');
    expect(sim.status.bake).toBeDefined();
    expect(sim.status.previousStable).toMatchObject({ version: '1.0.0', serving: { rejectionThreshold: 0.5 } });
    expect(thresholdOf(sim, sim.last!.desired.previous)).toBe('0.5');
    sim.advance(10_000);
    sim.notReady.stable = true;
    const res = sim.pass({ measurements: rejectsAll(sim).map((r) => ({ ...r, track: 'stable' })) });
    expect(sim.status.phase).toBe('RolledBack');
    expect(sim.status.stable).toMatchObject({ version: '1.0.0', serving: { rejectionThreshold: 0.5 } });
    expect(res.desired.weights.previous).toBe(100);
    expect(thresholdOf(sim, res.desired.previous)).toBe('0.5');
    expect(thresholdOf(sim, res.desired.stable)).toBe('0.5');
    expect(sim.status.history?.[0]).toMatchObject({ outcome: 'RolledBack', reason: 'BakeFailed', change: 'serving: rejectionThreshold 0.5 -> 0.9' });
    // An operator restarted mid-restore keeps the traffic on the warm old config and finishes the same restore.
    sim.advance(2_000);
    const fresh = new Simulation(JSON.parse(JSON.stringify(sim.release)), sim.now);
    fresh.observed = JSON.parse(JSON.stringify(sim.observed));
    fresh.notReady.stable = true;
    const resumed = fresh.pass();
    expect(resumed.desired.weights.previous).toBe(100);
    expect(resumed.events).toEqual([]);
    fresh.notReady.stable = false;
    fresh.converge(resumed.desired);
    fresh.pass();
    expect(fresh.status.restore).toBeUndefined();
    expect(fresh.status.lastRestore).toMatchObject({ from: '1.0.0', to: '1.0.0', reason: 'rejectionRatio' });
    expect(thresholdOf(fresh, fresh.last!.desired.stable)).toBe('0.5');
  });

  it('a GitOps revert of spec.serving during the bake is a fast restore, with no staging or step', () => {
    const sim = healthy({ bakeTime: '30m' });
    sim.setServing({ rejectionThreshold: 0.9 });
    sim.pass();
    until(sim, 'Healthy');
    sim.setServing({ rejectionThreshold: 0.5 });
    const res = sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.restore).toMatchObject({ from: '1.0.0', reason: 'GitOpsRevert', warm: true });
    expect(sim.status.stable?.serving?.rejectionThreshold).toBe(0.5);
    expect(res.desired.weights.previous).toBe(100);
    expect(res.desired.candidate?.replicas ?? 0).toBe(0);
    expect(res.events).toContainEqual(expect.objectContaining({ reason: 'GitOpsRevert', note: expect.stringContaining('spec.serving was changed back (undoing serving: rejectionThreshold 0.5 -> 0.9)') }));
  });

  it('an operator restarted mid-release resumes the same step with the same configs on each track', () => {
    const sim = healthy();
    sim.setServing({ rejectionThreshold: 0.9 });
    sim.pass();
    sim.pass();
    expect(sim.status).toMatchObject({ phase: 'Canary', currentStep: 0 });
    sim.advance(10_000);
    // A fresh operator: status and cluster as they are, nothing in memory. It plans exactly what the old one would.
    const fresh = new Simulation(JSON.parse(JSON.stringify(sim.release)), sim.now);
    fresh.observed = JSON.parse(JSON.stringify(sim.observed));
    const res = fresh.pass();
    const same = sim.pass();
    expect(fresh.status).toEqual(sim.status);
    expect(fresh.status).toMatchObject({ phase: 'Canary', currentStep: 0 });
    expect(res.desired).toEqual(same.desired);
    expect(res.events).toEqual([]);
    expect(thresholdOf(fresh, res.desired.stable)).toBe('0.5');
    expect(thresholdOf(fresh, res.desired.candidate)).toBe('0.9');
  });

  it('staging waits for the candidate Deployment to run the new config, not an older template of the same version', () => {
    const sim = healthy();
    sim.setServing({ rejectionThreshold: 0.9 });
    sim.pass();
    // The candidate Deployment still carries the template of an earlier serving release of 1.0.0: ready, up to date, same version.
    const stale = { ...podServing(sim.release.spec.serving), rejectionThreshold: 0.7 };
    const candidate = sim.status.candidate!;
    sim.observed.candidate = { ...track('1.0.0', 1), revision: revisionOf(candidate, stale) };
    sim.pass();
    expect(sim.status.phase).toBe('Staging');
    expect(sim.status.message).toContain('waiting for 1 pod(s) to be ready');
    sim.observed.candidate = { ...track('1.0.0', 1), revision: revisionOf(candidate, candidate.serving!) };
    sim.pass();
    expect(sim.status.phase).toBe('Canary');
  });

  it('a second serving change mid-release supersedes the first; model and serving together are one release', () => {
    const sim = healthy();
    sim.setServing({ rejectionThreshold: 0.9 });
    sim.pass();
    sim.pass();
    sim.setServing({ rejectionThreshold: 0.8, image: 'ghcr.io/tern-dev/tern-server:0.1.1' });
    const res = sim.pass();
    expect(sim.status.phase).toBe('Staging');
    expect(sim.status.history?.[0]).toMatchObject({ outcome: 'Superseded', change: 'serving: rejectionThreshold 0.5 -> 0.9' });
    expect(sim.status.candidate?.change).toBe('serving: image ghcr.io/tern-dev/tern-server:0.1.0 -> ghcr.io/tern-dev/tern-server:0.1.1, rejectionThreshold 0.5 -> 0.8');
    expect(res.outcomes).toEqual([{ outcome: 'Superseded' }]);
    sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
    sim.pass();
    expect(sim.status.candidate?.change).toBe('model 1.0.0 -> 1.1.0; serving: image ghcr.io/tern-dev/tern-server:0.1.0 -> ghcr.io/tern-dev/tern-server:0.1.1, rejectionThreshold 0.5 -> 0.8');
  });

  it('env changes name the variables, never their values', () => {
    const sim = healthy();
    sim.setServing({ env: [{ name: 'TERN_WORKERS', value: 's3cr3t' }] });
    sim.pass();
    expect(sim.status.candidate?.change).toBe('serving: env TERN_WORKERS changed');
  });

  it('a release recorded before serving was kept adopts spec.serving without starting a release', () => {
    const sim = healthy();
    const legacy = JSON.parse(JSON.stringify(sim.status)) as ModelReleaseStatus;
    delete legacy.stable!.serving;
    sim.release = { ...sim.release, status: legacy };
    const res = sim.pass();
    expect(sim.status.phase).toBe('Healthy');
    expect(sim.status.stable?.serving).toEqual(podServing(sim.release.spec.serving));
    expect(res.events).toEqual([]);
    sim.setServing({ rejectionThreshold: 0.6 });
    sim.pass();
    expect(sim.status.phase).toBe('Staging');
  });

  it('with a CRD that prunes status serving configs, nothing is adopted (no write loop) and spec.serving applies directly', () => {
    const sim = healthy();
    const legacy = JSON.parse(JSON.stringify(sim.status)) as ModelReleaseStatus;
    delete legacy.stable!.serving;
    sim.release = { ...sim.release, status: legacy };
    const input = () => ({ release: sim.release, observed: sim.observed, now: sim.now, servingInStatus: false });
    const same = plan(input(), contractJudge, routerScale(sim.release));
    expect(same.status).toEqual(legacy);
    sim.setServing({ rejectionThreshold: 0.6 });
    const res = plan(input(), contractJudge, routerScale(sim.release));
    expect(res.status.phase).toBe('Healthy');
    expect(res.status.candidate).toBeUndefined();
    expect(thresholdOf(sim, res.desired.stable)).toBe('0.6');
  });
});
