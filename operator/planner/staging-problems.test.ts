// Staging with candidate pods that are not ready: a broken artifact (the server's permanent reason, e.g.
// Sha256Mismatch) rolls back at once with what to do; a pod the scheduler cannot place holds staging with
// the scheduler's reason in status until the progress deadline, then rolls back naming it; stable untouched.
import type { ModelReleaseSpec } from '../api/model-release-schema.js';
import { SHA_B, Simulation, newModel, newRelease } from './testing.js';
import type { PodProblem } from './types.js';

const MIN = 60_000;
const SHA_MISMATCH: PodProblem = {
  pod: 'species-canary-7d9f-abcde',
  reason: 'Sha256Mismatch',
  message: `Sha256Mismatch: sha256 mismatch for http://models/species-1.1.0.onnx: expected ${SHA_B}, got ${'e'.repeat(64)}; refusing to load it`,
  permanent: true,
};
const UNSCHEDULABLE: PodProblem = {
  pod: 'species-canary-7d9f-fghij',
  reason: 'Unschedulable',
  message: '0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  permanent: false,
};

function staging(): Simulation {
  const sim = new Simulation(newRelease('1.0.0', { spec: { rollout: { steps: [{ setWeight: 50, pause: '1m' }], analysis: { progressDeadline: '2m' } } as ModelReleaseSpec['rollout'] } }));
  sim.pass();
  sim.pass();
  expect(sim.status.phase).toBe('Healthy');
  sim.setModel(newModel('1.1.0', { sha256: SHA_B }));
  sim.notReady.candidate = true;
  sim.pass();
  expect(sim.status.phase).toBe('Staging');
  return sim;
}

describe('staging with candidate pods that are not ready', () => {
  it('rolls back at once on a permanent artifact problem: reason Sha256Mismatch, what to do, no traffic, stable untouched', () => {
    const sim = staging();
    const res = sim.pass({ candidateProblems: [SHA_MISMATCH] });
    expect(sim.status.phase).toBe('RolledBack');
    const degraded = sim.status.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'Sha256Mismatch' });
    expect(degraded?.message).toContain(`pod species-canary-7d9f-abcde: Sha256Mismatch: sha256 mismatch`);
    expect(degraded?.message).toContain('correct spec.model.sha256');
    expect(sim.status.message).toContain('`tern retry`');
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'Sha256Mismatch' }]);
    expect(res.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'RolledBack' }));
    expect(res.desired.weights.candidate).toBe(0);
    expect(res.desired.stable?.model.version).toBe('1.0.0');
    expect(sim.status.history?.[0]).toMatchObject({ version: '1.1.0', outcome: 'RolledBack', reason: 'Sha256Mismatch' });
  });

  it('holds an unschedulable candidate with the scheduler\'s reason in status, then rolls back at the progress deadline naming it', () => {
    const sim = staging();
    sim.pass({ candidateProblems: [UNSCHEDULABLE] });
    expect(sim.status.phase).toBe('Staging');
    expect(sim.status.message).toContain('Unschedulable: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu');
    expect(sim.last?.requeueAfterMs).toBeLessThanOrEqual(10_000);
    sim.advance(MIN);
    sim.pass({ candidateProblems: [UNSCHEDULABLE] });
    expect(sim.status.phase).toBe('Staging');
    sim.advance(MIN + 1000);
    const res = sim.pass({ candidateProblems: [UNSCHEDULABLE] });
    expect(sim.status.phase).toBe('RolledBack');
    const degraded = sim.status.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'CandidateNotReady' });
    expect(degraded?.message).toContain('after the progress deadline 2m: pod species-canary-7d9f-fghij: Unschedulable: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu');
    expect(degraded?.message).toContain('free capacity');
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'CandidateNotReady' }]);
    expect(res.desired.stable?.model.version).toBe('1.0.0');
  });

  it('rolls back a candidate whose pod restarted, in the canary as in staging, naming the pod, its exit and what to do', () => {
    const sim = staging();
    sim.notReady.candidate = false;
    sim.converge(sim.last!.desired);
    sim.pass();
    expect(sim.status.phase).toBe('Canary');
    const crashed: PodProblem = { pod: 'species-canary-x', reason: 'Restarted', message: '1 restarts; last exit code 1', permanent: false, restarts: 1 };
    const res = sim.pass({ candidateProblems: [crashed] });
    expect(sim.status.phase).toBe('RolledBack');
    expect(sim.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'CandidateRestarted' });
    expect(sim.status.message).toContain('1.1.0 crashed: pod species-canary-x: Restarted: 1 restarts; last exit code 1');
    expect(sim.status.message).toContain('kubectl logs --previous');
    expect(res.outcomes).toEqual([{ outcome: 'RolledBack', reason: 'CandidateRestarts' }]);
    expect(res.desired.weights.candidate).toBe(0);

    const again = staging();
    again.pass({ candidateProblems: [{ ...crashed, reason: 'CrashLoopBackOff' }] });
    expect(again.status.phase).toBe('RolledBack');
    // A pod that is only slow to start is no crash.
    const slow = staging();
    slow.pass({ candidateProblems: [{ ...crashed, restarts: 0, reason: 'NotReady' }] });
    expect(slow.status.phase).toBe('Staging');
  });

  it('`tern retry` after an unschedulable rollback stages the candidate again; with capacity it goes on to the canary', () => {
    const sim = staging();
    sim.advance(3 * MIN);
    sim.pass({ candidateProblems: [UNSCHEDULABLE] });
    expect(sim.status.phase).toBe('RolledBack');
    sim.pass({ command: { name: 'retry', nonce: 'n1' } });
    expect(sim.status.phase).toBe('Staging');
    sim.notReady.candidate = false;
    sim.converge(sim.last!.desired);
    sim.pass();
    expect(sim.status.phase).toBe('Canary');
  });
});
