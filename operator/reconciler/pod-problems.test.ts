// Reading why candidate pods are not ready: the scheduler's condition, a container's waiting state,
// tern-server's /readyz reason (permanent when its phase is failed), and the thin list + GET around them.
import type { ModelRelease } from '../api/model-release-schema.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { problemFromPod, problemFromReadyz, trackProblems, type PodLike } from './pod-problems.js';

const pod = (name: string, status: PodLike['status']): PodLike => ({ metadata: { name }, status });
const INSUFFICIENT = '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.';

describe('problemFromPod', () => {
  it('names the scheduler\'s reason and message of an unscheduled pod', () => {
    expect(problemFromPod(pod('p', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: INSUFFICIENT }] }))).toEqual({
      pod: 'p', reason: 'Unschedulable', message: INSUFFICIENT, permanent: false,
    });
  });

  it('names a waiting container (crash loop with its last exit), ignores starting ones and ready pods', () => {
    const crash = pod('c', { conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { exitCode: 1 } } }] });
    expect(problemFromPod(crash)).toEqual({ pod: 'c', reason: 'CrashLoopBackOff', message: 'back-off 40s; last exit code 1; 4 restarts', permanent: false, restarts: 4 });
    // Restarted and running again (ready or warming up): still a crash.
    const restarted = pod('r', { conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ restartCount: 1, state: {}, lastState: { terminated: { exitCode: 1 } } }] });
    expect(problemFromPod(restarted)).toEqual({ pod: 'r', reason: 'Restarted', message: '1 restarts; last exit code 1', permanent: false, restarts: 1 });
    expect(problemFromPod(pod('s', { containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] }))).toBeUndefined();
    expect(problemFromPod(pod('r', { conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }], containerStatuses: [{ restartCount: 0, state: {} }] }))).toBeUndefined();
  });

  it('survives hostile shapes and cuts long messages', () => {
    expect(problemFromPod({ metadata: {}, status: { conditions: 'x' as never, containerStatuses: 5 as never } })).toBeUndefined();
    const long = problemFromPod(pod('p', { conditions: [{ type: 'PodScheduled', status: 'False', message: 'x'.repeat(5000) }] }));
    expect(long?.reason).toBe('Unschedulable');
    expect(long?.message.length).toBeLessThanOrEqual(300);
  });
});

describe('problemFromReadyz', () => {
  it('takes the reason word of a failed server as permanent, and a loading one as not', () => {
    expect(problemFromReadyz('p', { ready: false, phase: 'failed', reason: 'Sha256Mismatch: sha256 mismatch for http://x/m.onnx: expected a, got b' })).toEqual({
      pod: 'p', reason: 'Sha256Mismatch', message: 'Sha256Mismatch: sha256 mismatch for http://x/m.onnx: expected a, got b', permanent: true,
    });
    expect(problemFromReadyz('p', { ready: false, phase: 'loading', reason: 'retrying: HTTP 503 (try 2 failed), next try in 4 s' })).toEqual({
      pod: 'p', reason: 'NotReady', message: 'retrying: HTTP 503 (try 2 failed)', permanent: false,
    });
    expect(problemFromReadyz('p', { ready: true })).toBeUndefined();
    expect(problemFromReadyz('p', 'not json')).toBeUndefined();
    expect(problemFromReadyz('p', { ready: false, reason: 42 })).toBeUndefined();
  });
});

describe('trackProblems', () => {
  const release = { metadata: { name: 'species', namespace: 'ml' }, spec: { serving: { port: 8080 } } } as unknown as ModelRelease;

  it('lists the track\'s pods of that version, asks /readyz only of running, not-ready pods', async () => {
    const selectors: string[] = [];
    const client = {
      list: (_type: unknown, o: { labelSelector: string }) => {
        selectors.push(o.labelSelector);
        return Promise.resolve({
          resourceVersion: '1',
          items: [
            pod('pending', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: INSUFFICIENT }] }),
            pod('broken', { podIP: '10.0.0.2', conditions: [{ type: 'Ready', status: 'False' }] }),
            pod('fine', { podIP: '10.0.0.3', conditions: [{ type: 'Ready', status: 'True' }] }),
          ],
        });
      },
    } as unknown as KubeClient;
    const asked: string[] = [];
    const fetchFn = ((url: string) => {
      asked.push(url);
      return Promise.resolve(new Response(JSON.stringify({ ready: false, phase: 'failed', reason: 'NotFound: HTTP 404' }), { status: 503 }));
    }) as typeof fetch;
    const problems = await trackProblems(client, release, 'canary', '1.1.0', fetchFn);
    expect(selectors).toEqual(['serving.tern.dev/release=species,serving.tern.dev/track=canary,serving.tern.dev/version=1.1.0']);
    expect(asked).toEqual(['http://10.0.0.2:8080/readyz']);
    expect(problems.map((p) => `${p.pod}:${p.reason}:${p.permanent}`)).toEqual(['pending:Unschedulable:false', 'broken:NotFound:true']);
    // With no /readyz asks allowed, the pods' own statuses still count.
    expect((await trackProblems(client, release, 'canary', '1.1.0', fetchFn, 0)).map((p) => p.pod)).toEqual(['pending']);
    expect(asked).toHaveLength(1);
  });
});
