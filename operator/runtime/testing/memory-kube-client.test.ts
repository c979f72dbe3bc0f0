// The in-memory apiserver the reconciler fixture runs on: the rules those tests depend on.
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeApiError } from '../kube-client.js';
import { DEPLOYMENTS, HTTP_ROUTES, SERVICES } from '../resources.js';
import { matchesLabelSelector, MemoryKubeClient } from './memory-kube-client.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const svc = (selector: Record<string, string>, labels: Record<string, string> = { app: 'x' }): KubernetesObject & Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'ns', labels },
  spec: { selector, ports: [{ name: 'http', port: 80 }] },
});

describe('MemoryKubeClient', () => {
  it('server-side apply: a no-op keeps the resourceVersion; a spec change bumps it and the generation', async () => {
    const c = new MemoryKubeClient();
    const first = await c.apply(SERVICES, svc({ a: '1' }));
    const same = await c.apply(SERVICES, svc({ a: '1' }));
    expect(same.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const changed = await c.apply(SERVICES, svc({ a: '2' }));
    expect(Number(changed.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
    expect(changed.metadata?.generation).toBe(2);
    expect(first.metadata?.uid).toBe(changed.metadata?.uid);
  });

  it('server-side apply: fields the manager stops sending go; fields others set stay', async () => {
    const c = new MemoryKubeClient();
    c.seed(SERVICES, { ...svc({}), metadata: { ...svc({}).metadata, annotations: { team: 'web' } } });
    await c.apply(SERVICES, svc({ release: 'r', track: 'stable' }));
    await c.apply(SERVICES, svc({ release: 'r' }));
    const live = c.peek<Obj>(SERVICES, 'ns', 's');
    expect(live?.spec.selector).toEqual({ release: 'r' });
    expect(live?.metadata.annotations).toEqual({ team: 'web' });
  });

  it('managedFields name each writer (one entry per manager, its last write and time); a no-op write leaves them', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const c = new MemoryKubeClient({ now: () => now });
    await c.apply(SERVICES, svc({ a: '1' }));
    now = new Date('2026-03-01T10:05:00Z');
    c.edit(SERVICES, 'ns', 's', (o) => { (o['spec'] as Obj).selector = { a: '2' }; }, 'kubectl-edit');
    now = new Date('2026-03-01T10:09:00Z');
    await c.apply(SERVICES, svc({ a: '2' })); // changes nothing
    expect(c.peek<Obj>(SERVICES, 'ns', 's')?.metadata.managedFields).toEqual([
      { manager: 'tern-operator', operation: 'Apply', apiVersion: 'v1', time: '2026-03-01T10:00:00.000Z' },
      { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', time: '2026-03-01T10:05:00.000Z' },
    ]);
  });

  it('answers objects with their keys sorted, as the apiserver answers custom resources', async () => {
    const c = new MemoryKubeClient();
    await c.apply(SERVICES, { ...svc({ zone: 'b', app: 'a' }), metadata: { namespace: 'ns', name: 's' } });
    const live = (await c.get<KubernetesObject & Obj>(SERVICES, 'ns', 's')) as Obj;
    expect(Object.keys(live)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(Object.keys(live.spec.selector)).toEqual(['app', 'zone']);
    expect(Object.keys(live.metadata)).toEqual([...Object.keys(live.metadata)].sort());
  });

  it('apply never touches status; applyStatus changes only status', async () => {
    const c = new MemoryKubeClient();
    c.seed(SERVICES, { ...svc({}), status: { loadBalancer: {} } });
    await c.apply(SERVICES, { ...svc({ a: '1' }), status: { bogus: true } });
    expect(c.peek<Obj>(SERVICES, 'ns', 's')?.status).toEqual({ loadBalancer: {} });
    await c.applyStatus(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { selector: { b: '2' } }, status: { phase: 'x' } } as never);
    expect(c.peek<Obj>(SERVICES, 'ns', 's')).toMatchObject({ spec: { selector: { a: '1' } }, status: { loadBalancer: {}, phase: 'x' } });
  });

  it('update with a stale resourceVersion is a 409 Conflict', async () => {
    const c = new MemoryKubeClient();
    const stored = c.seed(SERVICES, svc({}));
    await c.update(SERVICES, { ...stored, spec: { selector: { a: '1' } } });
    await expect(c.update(SERVICES, { ...stored, spec: { selector: { a: '2' } } })).rejects.toMatchObject({ statusCode: 409, reason: 'Conflict' });
  });

  it('injected failures answer the matching requests, are logged as failed, and run out', async () => {
    const c = new MemoryKubeClient();
    c.failNext({ verb: 'apply', kind: 'Service' }, 500);
    await expect(c.apply(SERVICES, svc({}))).rejects.toBeInstanceOf(KubeApiError);
    await c.apply(SERVICES, svc({}));
    expect(c.writes.map((a) => `${a.verb} ${a.name}${a.failed ? ' failed' : ''}`)).toEqual(['apply s failed', 'apply s']);
  });

  it('a missing resource type answers 404 to everything', async () => {
    const c = new MemoryKubeClient({ missing: [HTTP_ROUTES] });
    await expect(c.list(HTTP_ROUTES)).rejects.toMatchObject({ statusCode: 404 });
  });

  it.each([
    ['app=x', true],
    ['app==x,tier', true],
    ['app!=x', false],
    ['!tier', false],
    ['other', false],
  ])('label selector %s -> %s', (selector, matches) => {
    expect(matchesLabelSelector({ app: 'x', tier: 'web' }, selector)).toBe(matches);
  });

  it('stores the quantities of a Deployment as the apiserver does (canonical, 1024Mi -> 1Gi) and refuses one that is none with a 422', async () => {
    const c = new MemoryKubeClient();
    const deployment = (resources: Obj, sizeLimit = '3072Mi'): KubernetesObject & Obj => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ns' },
      spec: { template: { spec: { containers: [{ name: 'c', resources }], volumes: [{ name: 'tmp', emptyDir: { sizeLimit } }] } } },
    });
    const stored = await c.apply(DEPLOYMENTS, deployment({ requests: { memory: '1024Mi', cpu: '0.5' }, limits: { cpu: '1000m', 'nvidia.com/gpu': '1' } }));
    expect((stored as Obj).spec.template.spec.containers[0].resources).toEqual({ requests: { memory: '1Gi', cpu: '500m' }, limits: { cpu: '1', 'nvidia.com/gpu': '1' } });
    expect((stored as Obj).spec.template.spec.volumes[0].emptyDir.sizeLimit).toBe('3Gi');
    // the same values in another spelling change nothing (a no-op keeps the resourceVersion)
    const again = await c.apply(DEPLOYMENTS, deployment({ requests: { memory: '1Gi', cpu: '500m' }, limits: { cpu: '1', 'nvidia.com/gpu': '1' } }, '3Gi'));
    expect(again.metadata?.resourceVersion).toBe(stored.metadata?.resourceVersion);
    await expect(c.apply(DEPLOYMENTS, deployment({ limits: { memory: 'lots' } }))).rejects.toMatchObject({ statusCode: 422, message: expect.stringContaining('spec.template.spec.containers[c].resources.limits.memory: "lots" is not a quantity') });
    // a Service has no quantities: its strings stay as written
    const service = await c.apply(SERVICES, svc({ size: '1024Mi' }));
    expect(service.spec?.selector).toEqual({ size: '1024Mi' });
  });
});
