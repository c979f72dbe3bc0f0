// Pure: the pod status the agent reports, from its containers' states (kubelet field conventions).
import { kubeTime } from './node-object.js';
import type { RunState } from './container-runner.js';

/** What the status builder needs to know of one container. */
export interface ContainerView {
  name: string;
  image: string;
  state: RunState;
  lastTerminated?: Extract<RunState, { kind: 'terminated' }>;
  restartCount: number;
  ready: boolean;
  pid?: number;
  finished: boolean;
}

/** What the status builder needs to know of the pod. */
export interface PodView {
  podIP: string;
  hostIP: string;
  startTime: Date;
  /** Set when the pod cannot run here at all (e.g. unsupported image). */
  failure?: { reason: string; message: string };
  containers: ContainerView[];
  /** Last transition time per condition type, kept across updates. */
  transitions: Map<string, { status: string; at: Date }>;
}

function stateJson(s: RunState): object {
  switch (s.kind) {
    case 'waiting':
      return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } };
    case 'running':
      return { running: { startedAt: kubeTime(s.startedAt) } };
    case 'terminated':
      return {
        terminated: {
          exitCode: s.exitCode,
          ...(s.signal ? { signal: s.signal === 'SIGKILL' ? 9 : 15 } : {}),
          reason: s.reason,
          ...(s.message ? { message: s.message } : {}),
          startedAt: kubeTime(s.startedAt),
          finishedAt: kubeTime(s.finishedAt),
        },
      };
  }
}

/** Phase from the containers: Failed/Succeeded once all finished, Running while any runs, else Pending. */
export function podPhase(view: PodView): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (view.failure) return 'Failed';
  const cs = view.containers;
  if (cs.length > 0 && cs.every((c) => c.finished && c.state.kind === 'terminated')) {
    return cs.every((c) => c.state.kind === 'terminated' && c.state.exitCode === 0) ? 'Succeeded' : 'Failed';
  }
  if (cs.some((c) => c.state.kind === 'running' || c.restartCount > 0 || c.lastTerminated)) return 'Running';
  return 'Pending';
}

/** The `status` object to write for the pod. */
export function podStatus(view: PodView, now: Date): Record<string, unknown> {
  const phase = podPhase(view);
  const allReady = phase === 'Running' && view.containers.every((c) => c.ready);
  const condition = (type: string, ok: boolean, reason?: string) => {
    const status = ok ? 'True' : 'False';
    const prev = view.transitions.get(type);
    const at = prev && prev.status === status ? prev.at : now;
    view.transitions.set(type, { status, at });
    return { type, status, lastProbeTime: null, lastTransitionTime: kubeTime(at), ...(reason && !ok ? { reason } : {}) };
  };
  const notReady = view.containers.filter((c) => !c.ready).map((c) => c.name);
  const status: Record<string, unknown> = {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', true),
      condition('Initialized', true),
      condition('ContainersReady', allReady, 'ContainersNotReady'),
      condition('Ready', allReady, 'ContainersNotReady'),
      condition('PodScheduled', true),
    ],
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    podIP: view.podIP,
    podIPs: [{ ip: view.podIP }],
    startTime: kubeTime(view.startTime),
    containerStatuses: view.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      containerID: c.pid !== undefined ? `local://${c.pid}` : '',
      ready: c.ready,
      started: c.state.kind === 'running',
      restartCount: c.restartCount,
      state: stateJson(c.state),
      lastState: c.lastTerminated ? stateJson(c.lastTerminated) : {},
    })),
  };
  if (view.failure) Object.assign(status, { reason: view.failure.reason, message: view.failure.message });
  else if (!allReady && phase === 'Running') status.message = `containers with unready status: [${notReady.join(' ')}]`;
  return status;
}
