// The Grafana dashboards cannot silently rot: every panel query, with its variables substituted as Grafana
// would, returns data from the e2e Prometheus after real traffic and a real release that rolled back.
// Along the way the Argo CD health check and actions run against the ModelRelease the real operator wrote.
//
// Scenario: the chart installs tern-operator (a pod, scraped through its annotations); species 1.0.0 is
// released (Healthy) and takes in-distribution traffic; 1.1.0 goes to canary and its pods get only
// "not a target" inputs, so the analysis rolls it back; then every panel query runs.
import { loadRegistry } from '../operator/registry/registry.js';
import { releaseFromRegistry } from '../operator/registry/render.js';
import type { ModelRelease } from '../operator/api/model-release-schema.js';
import { discoverActions, healthOf, runAction } from '../charts/lib/argocd.js';
import { panelQueries, substituteVariables } from '../charts/lib/dashboards.js';
import { REPO_ROOT } from '../charts/lib/conventions.js';
import { eventually, testCluster, withClusterLogs } from './cluster/test-env.js';
import { createNamespace, deleteNamespace, installChart, type ChartRelease } from './observe/chart-release.js';
import { instantQuery, rangeQuery } from './observe/prometheus-api.js';
import { startTraffic, type Traffic } from './observe/traffic.js';
import type { ModelHost } from '../models/model-host.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { RESTRICTED_NAMESPACE_LABELS } from './cluster/pod-security.js';

const OPERATOR_NS = 'tern-dashboards-system';
const NS = 'tern-dashboards';
const NAME = 'species';
const PATH = `/apis/serving.tern.dev/v1alpha1/namespaces/${NS}/modelreleases/${NAME}`;

describe('dashboards against the e2e Prometheus', () => {
  const cluster = testCluster();
  const prometheus = cluster.prometheusUrl;
  let chart: ChartRelease | undefined;
  let weights: ModelHost | undefined;
  let traffic: Traffic | undefined;

  afterAll(async () => {
    await traffic?.stop();
    await cluster.kube.request('DELETE', PATH).catch(() => undefined);
    await chart?.uninstall().catch(() => undefined);
    await deleteNamespace(cluster, NS);
    await deleteNamespace(cluster, OPERATOR_NS);
    await weights?.close();
    cluster.kube.close();
  }, 180_000);

  const render = (entry: string, baseUrl: string): ModelRelease => {
    const loaded = loadRegistry(`${REPO_ROOT}models/registry.json`);
    if (!loaded.ok) throw new Error(`models/registry.json is invalid: ${JSON.stringify(loaded.errors)}`);
    const release = releaseFromRegistry(loaded.registry, { name: NAME, namespace: NS, entry, weightsBaseUrl: baseUrl });
    release.spec.serving = { replicas: 1 } as ModelRelease['spec']['serving'];
    release.spec.rollout = {
      steps: [{ setWeight: 50, pause: '10m' }],
      analysis: { interval: '5s', minSampleCount: 10 },
    } as unknown as ModelRelease['spec']['rollout'];
    return release;
  };
  const get = () => cluster.kube.request<ModelRelease & { metadata: { generation: number } }>('GET', PATH);
  const phaseIs = (phases: string[]) => async () => {
    const current = await get();
    return phases.includes(current.status?.phase ?? '') && (current.status?.observedGeneration ?? 0) >= current.metadata.generation ? current : undefined;
  };

  it('every panel query returns data after traffic, a canary and a rollback', async () => {
    if (prometheus === undefined) throw new Error('the shared cluster has no Prometheus');
    await withClusterLogs(cluster, async () => {
      const startedAt = Date.now() / 1000;
      weights = await startNodeModelHost();
      await createNamespace(cluster, NS, undefined, RESTRICTED_NAMESPACE_LABELS);
      chart = await installChart(cluster, { namespace: OPERATOR_NS, watchNamespaces: [NS], set: ['image.pullPolicy=Never'] });

      // 1. First release: 1.0.0 becomes Healthy (Argo CD: Healthy).
      await cluster.kube.request('POST', `/apis/serving.tern.dev/v1alpha1/namespaces/${NS}/modelreleases`, render('species-1.0.0', weights.url));
      const healthy = await eventually('species 1.0.0 Healthy', phaseIs(['Healthy']), 180_000, 1000);
      expect(healthOf(healthy)).toMatchObject({ status: 'Healthy' });
      traffic = startTraffic(cluster, { namespace: NS, release: NAME, candidateTargetRatio: 0 });

      // 2. 1.1.0 goes to canary, gets only non-targets, and is rolled back (Argo CD: Progressing, then Degraded).
      const next = render('species-1.1.0', weights.url);
      await cluster.kube.mergePatch(PATH, { spec: { model: next.spec.model } });
      const inFlight = await eventually('species 1.1.0 in staging or canary', phaseIs(['Staging', 'Canary']), 120_000, 500);
      expect(healthOf(inFlight)).toMatchObject({ status: 'Progressing' });
      const rolledBack = await eventually('species 1.1.0 RolledBack', phaseIs(['RolledBack']), 300_000, 1000);
      const health = healthOf(rolledBack);
      expect(health.status).toBe('Degraded');
      expect(health.message).toMatch(/^RolledBack: /);
      expect(discoverActions(rolledBack).retry?.disabled).toBe(false);
      expect(discoverActions(rolledBack).promote?.disabled).toBe(true);

      // 3. With stable traffic flowing, ask Prometheus every panel's question until each has data: what the
      //    panels show depends on scrapes (every 5 s) of pods and of the operator after the rollback, so
      //    this waits for that state instead of sleeping a fixed time and asking once.
      const panelsWithoutData = async (): Promise<string[]> => {
        const now = Date.now() / 1000;
        // The variables as a person would pick them: this namespace and release, every track. Operator series
        // keep their own namespace label only when scraped with honor_labels (the chart's ServiceMonitor does).
        const values = { namespace: NS, release: NAME, track: '.*', rateInterval: '30s', range: `${Math.ceil(now - startedAt) + 60}s` };
        const empty: string[] = [];
        for (const query of panelQueries()) {
          const expr = substituteVariables(query.expr, values);
          const result = query.instant ? await instantQuery(prometheus, expr, now) : await rangeQuery(prometheus, expr, startedAt, now, 5);
          if (result.length === 0) empty.push(`${query.dashboard} / ${query.panel} / ${query.refId}: ${expr}`);
        }
        return empty;
      };
      // Stable traffic must have kept flowing meanwhile (more than 50 requests), as a person would look at it.
      const flowing = traffic;
      let empty: string[] = [];
      await eventually('every panel query to return data, with stable traffic flowing', async () => {
        empty = await panelsWithoutData();
        return empty.length === 0 && flowing.sent().stable > 50 ? true : undefined;
      }, 180_000, 5000).catch(() => undefined);
      expect(empty).toEqual([]);
      expect(traffic.sent().stable).toBeGreaterThan(50);

      // 4. The Argo CD "retry" action, applied as Argo CD would, restarts the release in the real operator.
      await traffic.stop();
      const retried = runAction('retry', await get());
      const annotations = retried.metadata.annotations ?? {};
      await cluster.kube.mergePatch(PATH, { metadata: { annotations } });
      const restarted = await eventually('retry handled', async () => {
        const current = await get();
        const status = current.status as { lastCommandNonce?: string; phase?: string } | undefined;
        return status?.lastCommandNonce === annotations['serving.tern.dev/command-nonce'] ? current : undefined;
      }, 60_000, 500);
      expect(restarted.status?.phase).not.toBe('RolledBack');
    });
  }, 15 * 60_000);
});
