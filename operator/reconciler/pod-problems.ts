/**
 * Why the candidate's pods are not ready or restarted, for the planner's staging messages, its fail-fast on
 * a broken artifact and its rollback of a crashed candidate: the scheduler's PodScheduled condition (Unschedulable: "0/1 nodes are available: 1
 * Insufficient nvidia.com/gpu"), a container's waiting state (CrashLoopBackOff, ...), else tern-server's
 * own answer on /readyz (`Sha256Mismatch: ...`, phase `failed` when it will not retry). The readings of
 * a pod and of a /readyz body are pure; the list and the GETs are thin (a list and reads, never a write).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelRelease } from '../api/model-release-schema.js';
import { LABEL_RELEASE, LABEL_TRACK, LABEL_VERSION, type TrackName } from '../desired/labels.js';
import type { PodProblem } from '../planner/types.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { PODS } from '../runtime/resources.js';

/** The fields of a Pod read here (JSON as the apiserver returns it; every field may be missing). */
export interface PodLike extends KubernetesObject {
  status?: {
    podIP?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: {
      restartCount?: number;
      state?: { waiting?: { reason?: string; message?: string } };
      lastState?: { terminated?: { exitCode?: number; reason?: string; message?: string } };
    }[];
  };
}

/** Waiting reasons that only mean "starting": not a problem. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);
/** Longest message kept from a pod or a server (status stays small). */
const MAX_MESSAGE = 300;

const cut = (s: string): string => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 3)}...` : s);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What the pod object itself says is wrong (undefined: ready and never restarted, starting, or only its server can tell). */
export function problemFromPod(pod: PodLike): PodProblem | undefined {
  const name = pod.metadata?.name ?? '';
  const conditions = Array.isArray(pod.status?.conditions) ? pod.status.conditions : [];
  const containers = Array.isArray(pod.status?.containerStatuses) ? pod.status.containerStatuses : [];
  const restarts = containers.reduce((n, c) => n + (Number.isInteger(c.restartCount) && (c.restartCount as number) > 0 ? (c.restartCount as number) : 0), 0);
  const withRestarts = (p: PodProblem): PodProblem => (restarts > 0 ? { ...p, restarts } : p);
  const lastExit = (c: (typeof containers)[number]): string => {
    const last = c.lastState?.terminated;
    return last ? `last exit code ${last.exitCode ?? '?'}${str(last.message) ? `: ${str(last.message)}` : ''}` : '';
  };
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return { pod: name, reason: str(scheduled.reason) ?? 'Unschedulable', message: cut(str(scheduled.message) ?? 'the scheduler has not placed the pod'), permanent: false };
  }
  for (const c of containers) {
    const waiting = c.state?.waiting;
    const reason = str(waiting?.reason);
    if (!reason || STARTING.has(reason)) continue;
    const message = [str(waiting?.message), lastExit(c), c.restartCount ? `${c.restartCount} restarts` : ''].filter(Boolean).join('; ');
    return withRestarts({ pod: name, reason, message: cut(message || reason), permanent: false });
  }
  const crashed = containers.find((c) => (c.restartCount ?? 0) > 0);
  if (crashed) return withRestarts({ pod: name, reason: 'Restarted', message: cut([`${restarts} restarts`, lastExit(crashed)].filter(Boolean).join('; ')), permanent: false });
  return undefined;
}

/** tern-server's /readyz answer (503 `{ready, phase, reason}`) as a problem; undefined when ready or unreadable. */
export function problemFromReadyz(pod: string, body: unknown): PodProblem | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const doc = body as { ready?: unknown; phase?: unknown; reason?: unknown };
  if (doc.ready === true) return undefined;
  // Without the countdown of a retry ("..., next try in 7 s"): the same state reads the same on every pass.
  const text = str(doc.reason)?.replace(/, (next try in \d+ s|trying again now)$/, '');
  if (!text) return undefined;
  // The server's failure reasons start with a CamelCase word and a colon: "Sha256Mismatch: sha256 mismatch for ...".
  const reason = /^([A-Z][A-Za-z0-9]{2,40}):/.exec(text)?.[1] ?? 'NotReady';
  return { pod, reason, message: cut(text), permanent: doc.phase === 'failed' };
}

/**
 * Problems of the pods of `track` running `version` (the candidate is staged on the canary track, a first
 * release on the stable track); /readyz is asked of at most `limit` pods, 2 s each.
 */
export async function trackProblems(client: KubeClient, release: ModelRelease, track: TrackName, version: string, fetchFn: typeof fetch = fetch, limit = 3): Promise<PodProblem[]> {
  const { items } = await client.list<PodLike>(PODS, {
    namespace: release.metadata.namespace ?? 'default',
    labelSelector: `${LABEL_RELEASE}=${release.metadata.name},${LABEL_TRACK}=${track},${LABEL_VERSION}=${version}`,
  });
  const port = release.spec.serving?.port ?? 8080;
  const pods = items.filter((p) => !p.metadata?.deletionTimestamp);
  // Every pod's own status counts; tern-server is asked only for the first `limit` running, not-ready pods.
  let asks = 0;
  const problems = await Promise.all(
    pods.map(async (pod): Promise<PodProblem | undefined> => {
      const fromPod = problemFromPod(pod);
      const ip = pod.status?.podIP;
      const ready = Array.isArray(pod.status?.conditions) && pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
      if (fromPod || ready || !ip || asks++ >= limit) return fromPod;
      try {
        const res = await fetchFn(`http://${ip}:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
        return problemFromReadyz(pod.metadata?.name ?? '', await res.json());
      } catch {
        return undefined; // not listening yet, or gone: nothing to say
      }
    }),
  );
  return problems.filter((p): p is PodProblem => p !== undefined);
}
