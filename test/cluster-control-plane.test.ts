// Acceptance tests of the local control plane (test/cluster/): CRDs with CEL validation, pods run by the
// real node's kubelet as containers of the tern-server image (in a Pod Security `restricted` namespace),
// EndpointSlices from the real controller-manager, Prometheus scraping through kubernetes_sd_configs, and
// kwok fake nodes beside the real one. GPUs, DNS, logs/exec: real-node.test.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import YAML from 'yaml';
import type { V1Pod } from '@kubernetes/client-node';
import { goodManifest } from '../operator/api/testdata/bad-manifests.js';
import type { LocalCluster } from './cluster/cluster.js';
import { KubeError } from './cluster/kube-http.js';
import { kwokDeployment } from './cluster/kwok.js';
import { podContainerPids } from './cluster/node/container-processes.js';
import { RESTRICTED_NAMESPACE_LABELS, restrictedPod } from './cluster/pod-security.js';
import { eventually, testCluster, withClusterLogs } from './cluster/test-env.js';

/** Per-test time limit (the global `jest` object is not defined in ESM mode). */
const TIMEOUT = 120_000;

let cluster: LocalCluster;
const ns = `cp-${Date.now().toString(36)}`;
const api = (path: string) => `/api/v1/namespaces/${ns}${path}`;

beforeAll(async () => {
  cluster = testCluster();
  await cluster.kube.request('POST', '/api/v1/namespaces', { metadata: { name: ns, labels: RESTRICTED_NAMESPACE_LABELS } });
  // Pods need the namespace's default ServiceAccount, created by the controller-manager.
  await eventually('default service account', () => cluster.kube.request('GET', api('/serviceaccounts/default')).then(() => true));
}, TIMEOUT);

afterAll(async () => {
  await cluster.kube.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => {});
  cluster.kube.close();
});

const ipToInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base!) / size);
}

/** A tiny HTTP server (node in the tern-server image): answers / with its pod IP and /metrics with one gauge. */
const tinyServer = [
  'node',
  '-e',
  `require('http').createServer((q, r) => q.url === '/metrics' ? r.setHeader('content-type', 'text/plain; version=0.0.4').end('tiny_up 1\\n')` +
    ` : r.end('hello from ' + process.env.POD_IP))` +
    `.listen(8080, process.env.POD_IP)`,
];

/** `spec` with its one container's fields overridden by `fields`. */
function withContainer(spec: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  const [container] = spec.containers as Record<string, unknown>[];
  return { ...spec, containers: [{ ...container, ...fields }] };
}

async function pods(selector: string): Promise<V1Pod[]> {
  return (await cluster.kube.request<{ items: V1Pod[] }>('GET', api(`/pods?labelSelector=${encodeURIComponent(selector)}`))).items;
}

describe('CRDs', () => {
  test('a good ModelRelease is stored; a bad one is rejected with the CEL message', () =>
    withClusterLogs(cluster, async () => {
      const path = `/apis/serving.tern.dev/v1alpha1/namespaces/${ns}/modelreleases`;
      const good = goodManifest('species-good');
      const stored = await cluster.kube.request<{ metadata: { uid?: string } }>('POST', path, good);
      expect(stored.metadata.uid).toBeTruthy();

      const bad = goodManifest('species-bad');
      (bad.spec.model as { metrics: { tpr: number } }).metrics.tpr = 1.5;
      const err = await cluster.kube.request('POST', path, bad).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(KubeError);
      expect((err as KubeError).status).toBe(422);
      expect((err as KubeError).message).toMatch(/spec\.model\.metrics\.\[?tpr\]?: Invalid value/);
      expect((err as KubeError).message).toContain('must be between 0 and 1');
    }),
    TIMEOUT,
  );

  test('the Gateway API standard CRDs are served', async () => {
    const crds = await cluster.kube.request<{ items: Array<{ metadata: { name: string } }> }>('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    const names = crds.items.map((c) => c.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['httproutes.gateway.networking.k8s.io', 'gateways.gateway.networking.k8s.io', 'modelreleases.serving.tern.dev']));
  });
});

/** The Downward API's pod address, as a real kubelet gives it (nothing sets POD_IP by itself). */
const POD_IP_ENV = { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } };

/** A log of a pod's container through the apiserver and the kubelet (`kubectl logs`). */
function podLog(name: string, previous = false): string {
  return execFileSync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, '-n', ns, 'logs', name, ...(previous ? ['--previous'] : [])], { encoding: 'utf8' });
}

describe('pods on the real node', () => {
  test('a 2-replica Deployment runs real containers: Ready, answering HTTP, in the EndpointSlice, scraped by Prometheus; scale to 0 stops them', () =>
    withClusterLogs(cluster, async () => {
      const labels = { app: 'tiny', 'serving.tern.dev/release': 'tiny-release', 'serving.tern.dev/track': 'canary', 'serving.tern.dev/version': '1.2.3' };
      await cluster.kube.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
        metadata: { name: 'tiny' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'tiny' } },
          template: {
            metadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' } },
            spec: withContainer(restrictedPod(ns, 'tiny', tinyServer).spec, {
              env: [POD_IP_ENV], ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
            }),
          },
        },
      });
      await cluster.kube.request('POST', api('/services'), { metadata: { name: 'tiny' }, spec: { selector: { app: 'tiny' }, ports: [{ port: 80, targetPort: 'http' }] } });

      const ready = await eventually('2 Ready pods', async () => {
        const ps = await pods('app=tiny');
        const ok = ps.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ok.length === 2 ? ok : undefined;
      });
      const ips = ready.map((p) => p.status?.podIP ?? '');
      for (const ip of ips) {
        expect(inCidr(ip, cluster.podCIDR ?? '')).toBe(true);
        expect(await (await fetch(`http://${ip}:8080/`)).text()).toBe(`hello from ${ip}`);
      }

      const sliceIps = await eventually('EndpointSlice with both pods', async () => {
        const slices = await cluster.kube.request<{ items: Array<{ endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }> }> }>(
          'GET',
          `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent('kubernetes.io/service-name=tiny')}`,
        );
        const got = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses).sort();
        return got.length === 2 ? got : undefined;
      });
      expect(sliceIps).toEqual([...ips].sort());

      const targets = await eventually(
        'Prometheus targets up',
        async () => {
          const res = (await (await fetch(`${cluster.prometheusUrl}/api/v1/targets?state=active`)).json()) as {
            data: { activeTargets: Array<{ health: string; labels: Record<string, string> }> };
          };
          const mine = res.data.activeTargets.filter((t) => t.labels.namespace === ns && t.health === 'up');
          return mine.length === 2 ? mine : undefined;
        },
        60_000,
        1000,
      );
      for (const t of targets) {
        expect(t.labels).toMatchObject({ release: 'tiny-release', track: 'canary', version: '1.2.3', namespace: ns });
        expect(ready.map((p) => p.metadata?.name)).toContain(t.labels.pod);
      }

      // Each container's processes, found by its id in their cgroup: there while it runs, gone after.
      expect(ready.every((p) => podContainerPids(p).length > 0)).toBe(true);

      await cluster.kube.mergePatch(`/apis/apps/v1/namespaces/${ns}/deployments/tiny/scale`, { spec: { replicas: 0 } });
      await eventually('pods gone', async () => ((await pods('app=tiny')).length === 0 ? true : undefined));
      expect(ready.flatMap((p) => podContainerPids(p))).toEqual([]);
      for (const ip of ips) await expect(fetch(`http://${ip}:8080/`)).rejects.toThrow();
    }),
    TIMEOUT,
  );

  test('an image the node does not have (nothing is pulled here) keeps the pod waiting with the kubelet\'s reason', () =>
    withClusterLogs(cluster, async () => {
      const nginx = restrictedPod(ns, 'nginx', ['sleep', '60']);
      await cluster.kube.request('POST', api('/pods'), { ...nginx, spec: withContainer(nginx.spec, { image: 'nginx:1.27', imagePullPolicy: 'Never' }) });
      const waiting = await eventually('ErrImageNeverPull', async () => {
        const p = await cluster.kube.request<V1Pod>('GET', api('/pods/nginx'));
        return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull' ? p : undefined;
      });
      expect(waiting.status?.phase).toBe('Pending');
      expect(waiting.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(/image "nginx:1\.27" is not present with pull policy of Never/);
    }),
    TIMEOUT,
  );

  test('a container that exits is restarted with backoff and counted', () =>
    withClusterLogs(cluster, async () => {
      await cluster.kube.request('POST', api('/pods'), restrictedPod(ns, 'crasher', ['sh', '-c', 'echo crashing; exit 3']));
      const pod = await eventually('restartCount >= 1', async () => {
        const p = await cluster.kube.request<V1Pod>('GET', api('/pods/crasher'));
        return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
      });
      expect(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(3);
      expect(podLog('crasher', true)).toContain('crashing');
    }),
    TIMEOUT,
  );
});

describe('container environment', () => {
  test('env from a ConfigMap waits (CreateContainerConfigError) until it exists; fieldRef and POD_IP are set', () =>
    withClusterLogs(cluster, async () => {
      const env = restrictedPod(ns, 'env', ['node', '-e', "require('http').createServer((q, r) => r.end([process.env.GREETING, process.env.MY_NS, process.env.POD_IP].join(' '))).listen(8080, process.env.POD_IP)"]);
      await cluster.kube.request('POST', api('/pods'), {
        ...env,
        spec: withContainer(env.spec, {
          env: [
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'greeting', key: 'text' } } },
            { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            POD_IP_ENV,
          ],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        }),
      });
      const waiting = await eventually('CreateContainerConfigError', async () => {
        const p = await cluster.kube.request<V1Pod>('GET', api('/pods/env'));
        return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' ? p : undefined;
      });
      expect(waiting.status?.phase).toBe('Pending');
      expect(waiting.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(/configmap "greeting" not found/);

      await cluster.kube.request('POST', api('/configmaps'), { metadata: { name: 'greeting' }, data: { text: 'hello' } });
      const ready = await eventually('env pod Ready', async () => {
        const p = await cluster.kube.request<V1Pod>('GET', api('/pods/env'));
        return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
      });
      const ip = ready.status?.podIP ?? '';
      expect(await (await fetch(`http://${ip}:8080/`)).text()).toBe(`hello ${ns} ${ip}`);
    }),
    TIMEOUT,
  );
});

describe('kwok fake nodes', () => {
  test('pods tolerating the kwok taint run on kwok nodes without processes; none lands on the real node', () =>
    withClusterLogs(cluster, async () => {
      const nodes = await cluster.kube.request<{ items: unknown[] }>('GET', '/api/v1/nodes?labelSelector=type%3Dkwok');
      if (nodes.items.length === 0) throw new Error('no kwok nodes: start the cluster with kwokNodes > 0 (TERN_KWOK_NODES)');
      const replicas = 200;
      await cluster.kube.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, kwokDeployment('fake', replicas));
      const running = await eventually(
        `${replicas} fake pods Running`,
        async () => {
          const ps = await pods('app=fake');
          const ok = ps.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
          return ok.length === replicas ? ok : undefined;
        },
        90_000,
        1000,
      );
      expect(running.every((p) => p.spec?.nodeName?.startsWith('kwok-'))).toBe(true);
      await cluster.kube.request('DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/fake`);
    }),
    TIMEOUT,
  );
});

describe('Prometheus', () => {
  test('its configuration passes promtool check config', async () => {
    const { execFileSync } = await import('node:child_process');
    const { promtoolBinary } = await import('./cluster/prometheus.js');
    const { readState } = await import('./cluster/cluster-state.js');
    const state = readState(cluster.layout);
    if (state === undefined) throw new Error('no cluster state');
    const out = execFileSync(promtoolBinary(state), ['check', 'config', `${cluster.layout.prometheusDir}/prometheus.yml`], { encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
    const config = YAML.parse(fs.readFileSync(`${cluster.layout.prometheusDir}/prometheus.yml`, 'utf8')) as { global: { scrape_interval: string } };
    expect(config.global.scrape_interval).toBe('5s');
  }, TIMEOUT);

  test('can be stopped and started again on the same URL', () =>
    withClusterLogs(cluster, async () => {
      const url = cluster.prometheusUrl ?? '';
      await cluster.stopPrometheus();
      await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
      await cluster.startPrometheus();
      expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    }),
    TIMEOUT,
  );
});
