// podStatus/podPhase: what the agent reports for a pod, from its containers' states.
import { podPhase, podStatus, type ContainerView, type PodView } from './pod-status.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const view = (containers: ContainerView[], failure?: PodView['failure']): PodView => ({
  podIP: '198.18.0.2', hostIP: '198.18.0.1', startTime: t0, containers, transitions: new Map(), failure,
});
const running = (ready: boolean): ContainerView => ({ name: 'c', image: 'local/exec', state: { kind: 'running', startedAt: t0 }, restartCount: 0, ready, pid: 42, finished: false });

test('Running and Ready when every container runs and is ready', () => {
  const s = podStatus(view([running(true)]), t0) as { phase: string; podIP: string; conditions: Array<{ type: string; status: string }>; containerStatuses: Array<{ containerID: string }> };
  expect(s.phase).toBe('Running');
  expect(s.podIP).toBe('198.18.0.2');
  expect(s.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  expect(s.containerStatuses[0]?.containerID).toBe('local://42');
});

test('Ready keeps its transition time while unchanged', () => {
  const v = view([running(false)]);
  podStatus(v, t0);
  const later = new Date(t0.getTime() + 60_000);
  const s1 = podStatus(v, later) as { conditions: Array<{ type: string; lastTransitionTime: string }> };
  expect(s1.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  v.containers = [running(true)];
  const s2 = podStatus(v, later) as { conditions: Array<{ type: string; lastTransitionTime: string }> };
  expect(s2.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:01:00Z');
});

test('phases: Pending before start, Succeeded/Failed when finished, Failed with the reason when it cannot run', () => {
  expect(podPhase(view([{ ...running(false), state: { kind: 'waiting', reason: 'ContainerCreating' } }]))).toBe('Pending');
  const done = (exitCode: number): ContainerView => ({ ...running(false), finished: true, state: { kind: 'terminated', exitCode, reason: 'x', startedAt: t0, finishedAt: t0 } });
  expect(podPhase(view([done(0)]))).toBe('Succeeded');
  expect(podPhase(view([done(0), done(1)]))).toBe('Failed');
  const s = podStatus(view([], { reason: 'UnsupportedImage', message: 'image nginx cannot run' }), t0);
  expect(s).toMatchObject({ phase: 'Failed', reason: 'UnsupportedImage', message: 'image nginx cannot run' });
});
