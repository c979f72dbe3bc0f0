// A registry shaped the way the EcoMarineAI runbook writes it drives a release on the local cluster end to
// end: free-form entry names, schema_version "1.0", trained_at dates, metrics_snapshot as paths to the
// runbook's metrics reports (its aliases and nesting), a release_name. The GitOps path is the demo's
// (test/demo/gitops.ts): `active` moves -> the real `tern registry render --weights-base-url` (the demo's
// loopback model host serving models/species) -> kubectl apply; a real tern-operator takes the first entry
// to Healthy, then the second one, under the same release name, through staging (with a gate on a number
// only the nested report has) and a 100 % step to Healthy. Then `tern registry record` writes the outcome
// back and a new render is unchanged by it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ModelHost } from '../models/model-host.js';
import type { ModelRelease, ModelReleaseSpec } from '../operator/api/model-release-schema.js';
import { REGISTRY_ENTRY_ANNOTATION } from '../operator/registry/render.js';
import { MODEL_RELEASES } from '../operator/api/resource.js';
import { ROOT } from './analysis/processes.js';
import { eventually, testCluster } from './cluster/test-env.js';
import { GitOpsRepo, type SpecOverlay } from './demo/gitops.js';
import { apiClient, createNamespace, deploymentState, getRelease, registry, withOperatorLogs } from './operator/harness.js';
import { RESTRICTED_NAMESPACE_LABELS } from './cluster/pod-security.js';
import { startNodeModelHost } from './observe/node-model-host.js';
import { deleteNamespace } from './observe/chart-release.js';
import { installOperator, type OperatorPod } from './observe/operator-pod.js';
import { serviceTraffic } from './operator/service-traffic.js';

const NS = `registry-runbook-${Date.now().toString(36)}`;
const RELEASE = 'cetacean-id';
const cluster = testCluster();
const { client, close } = apiClient(cluster.kubeconfig);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-runbook-'));
let host: ModelHost;
let operator: OperatorPod;

/** The weights' digests, as models/registry.json records them (staging refuses an unverified artifact). */
const digest = (version: string): string => registry().models.find((m) => m.version === version)?.sha256 as string;

/** The runbook's registry and reports: the first report as EcoMarineAI's evaluation writes it (aliases, nesting, strings, lists), the second flat with the other aliases. */
function writeRunbookRegistry(): string {
  fs.mkdirSync(path.join(dir, 'reports'));
  fs.writeFileSync(
    path.join(dir, 'reports', 'metrics_v1.json'),
    JSON.stringify({ generated_at: '2026-08-04T10:00:00+00:00', sample_size: 2000, model_version: 'species_v1', cetacean_score_mean: 0.7355, anti_fraud: { tpr: 0.9281, tnr: 0.9274, roc_auc: 0.97 }, per_class: [0.5, 0.7] }, null, 2),
  );
  fs.writeFileSync(
    path.join(dir, 'reports', 'metrics_v2.json'),
    JSON.stringify({ true_positive_rate: 0.9558, true_negative_rate: 0.952, mean_cetacean_score: 0.7582, anti_fraud: { roc_auc: 0.98 } }, null, 2),
  );
  const entry = (name: string, version: string, trainedAt: string, report: string) => ({
    name,
    display_name: `Species classifier ${version}`,
    version,
    architecture: 'mlp-16x32x36+target',
    weights_url: `https://models.example.org/cetacean/species-${version}.onnx`,
    sha256: digest(version),
    trained_at: trainedAt,
    metrics_snapshot: report,
  });
  const file = path.join(dir, 'registry.json');
  const doc = {
    schema_version: '1.0',
    active: 'species_v1',
    release_name: RELEASE,
    models: [entry('species_v1', '1.0.0', '2026-08-03', 'reports/metrics_v1.json'), entry('species_v2', '1.1.0', '2026-09-14', 'reports/metrics_v2.json')],
  };
  fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}

// Fast: one pod per track, staging with a gate on the nested report's roc_auc, one 100 % step; no live
// traffic during the release, so the analysis checks are off (the demo and operator-rollback cover them).
const off = { enabled: false };
const overlay: SpecOverlay = {
  serving: { replicas: 1 } as ModelReleaseSpec['serving'],
  rollout: {
    staging: { minDuration: '1s', gates: { minTpr: 0.85, minTnr: 0.9, metrics: [{ name: 'antiFraudRocAuc', min: 0.95 }] } },
    steps: [{ setWeight: 100, pause: '2s' }],
    analysis: { interval: '2s', checks: { drift: off, availability: off, latencyP95: off, errorRate: off, rejectionRatio: off } },
  } as ModelReleaseSpec['rollout'],
};

let repo: GitOpsRepo;

beforeAll(async () => {
  host = await startNodeModelHost();
  await createNamespace(client, NS, RESTRICTED_NAMESPACE_LABELS);
  operator = await installOperator(cluster, NS, 'registry-runbook-e2e');
  repo = new GitOpsRepo({ root: ROOT, dir, namespace: NS, weightsBaseUrl: host.url, overlay, registryFile: writeRunbookRegistry() });
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await client.delete(MODEL_RELEASES, NS, RELEASE).catch(() => undefined);
  await deleteNamespace(cluster, NS);
  await host?.close();
  close();
  fs.rmSync(dir, { recursive: true, force: true });
}, 180_000);

const withLogs = <T>(body: () => Promise<T>) => withOperatorLogs(cluster, () => [operator], body);

/** Moves `active`, renders with the real CLI and applies with kubectl, as the demo does. */
function release(entry: string): ModelRelease {
  repo.setActive(entry);
  const rendered = repo.render();
  repo.apply(cluster.kubectl, cluster.kubeconfig);
  return rendered;
}

describe('a runbook-shaped registry drives a release on the local cluster', () => {
  it('species_v1 -> Healthy, then active: species_v2 renders the same release, which goes through staging and its step to Healthy; record writes it back', () =>
    withLogs(async () => {
      const t0 = Date.now();
      const first = release('species_v1');
      expect(first.metadata).toMatchObject({ name: RELEASE, namespace: NS, annotations: { [REGISTRY_ENTRY_ANNOTATION]: 'species_v1' } });
      expect(first.spec.model).toEqual({
        name: RELEASE,
        displayName: 'Species classifier 1.0.0',
        version: '1.0.0',
        architecture: 'mlp-16x32x36+target',
        weightsUrl: `${host.url}species-1.0.0.onnx`,
        sha256: digest('1.0.0'),
        trainedAt: '2026-08-03T00:00:00Z',
        // The report's aliases and nesting: anti_fraud.tpr -> tpr, cetacean_score_mean -> scoreMean, anti_fraud.roc_auc -> antiFraudRocAuc.
        metrics: { tpr: 0.9281, tnr: 0.9274, scoreMean: 0.7355, antiFraudRocAuc: 0.97, sampleSize: 2000 },
      });
      await eventually('Healthy on 1.0.0', async () => {
        const st = (await getRelease(client, NS, RELEASE)).status;
        return st?.phase === 'Healthy' && st.stable?.version === '1.0.0' ? true : undefined;
      }, 120_000, 250);
      expect(host.hits.get('/species-1.0.0.onnx')).toBeGreaterThan(0);
      const t1 = Date.now();

      const second = release('species_v2');
      expect(second.metadata.name).toBe(RELEASE);
      expect(second.spec.model).toMatchObject({ name: RELEASE, version: '1.1.0', weightsUrl: `${host.url}species-1.1.0.onnx`, trainedAt: '2026-09-14T00:00:00Z' });
      expect(second.spec.model.metrics).toEqual({ tpr: 0.9558, tnr: 0.952, scoreMean: 0.7582, antiFraudRocAuc: 0.98 });
      const seen: string[] = [];
      await eventually('Healthy on 1.1.0', async () => {
        const st = (await getRelease(client, NS, RELEASE)).status ?? {};
        const label = `${st.phase}${st.phase === 'Canary' ? `:${st.canaryWeight}` : ''}`;
        if (seen[seen.length - 1] !== label) seen.push(label);
        if (st.phase === 'RolledBack' || st.phase === 'Failed') throw new Error(`1.1.0 ended ${st.phase}: ${st.message ?? ''}`);
        return st.phase === 'Healthy' && st.stable?.version === '1.1.0' ? true : undefined;
      }, 150_000, 200);
      expect(seen).toEqual(expect.arrayContaining(['Staging', 'Canary:100', 'Healthy']));
      expect(seen.indexOf('Staging')).toBeLessThan(seen.indexOf('Canary:100'));
      const promoted = await getRelease(client, NS, RELEASE);
      expect(promoted.metadata.annotations?.[REGISTRY_ENTRY_ANNOTATION]).toBe('species_v2');
      expect(promoted.status?.history?.map((h) => `${h.version}:${h.outcome}`)).toEqual(['1.1.0:Promoted', '1.0.0:Promoted']);
      expect(host.hits.get('/species-1.1.0.onnx')).toBeGreaterThan(0);

      // The release Service now answers with 1.1.0 only.
      await eventually('stable on 1.1.0, ready', async () => {
        const stable = await deploymentState(client, NS, `${RELEASE}-stable`);
        return stable?.version === '1.1.0' && stable.ready === 1 ? true : undefined;
      }, 60_000);
      // Healthy comes once the stable Deployment runs 1.1.0; its rolling update may still have the old
      // 1.0.0 pod ready for a moment, and 1.0.0 stays warm on its own track during the bake. Wait for the
      // state (every answer through the release Service from 1.1.0), sampling 20 requests at a time.
      let versions: string[] = [];
      await eventually('only 1.1.0 answering through the release Service', async () => {
        const traffic = serviceTraffic(client, NS, RELEASE, 8080, 20, 30);
        await eventually('answers from the release Service', async () => (traffic.sent() >= 20 ? true : undefined), 20_000);
        await traffic.stop();
        versions = [...traffic.byVersion.keys()];
        return versions.length === 1 && versions[0] === '1.1.0' ? true : undefined;
      }, 45_000, 500).catch(() => undefined);
      expect(versions).toEqual(['1.1.0']);
      const t2 = Date.now();

      // The outcome back into the registry: free-form entries found by version, reports untouched.
      const record = spawnSync(process.execPath, [path.join(ROOT, 'bin/tern.js'), 'registry', 'record', RELEASE, '-n', NS, '--registry', repo.registryFile], {
        cwd: ROOT, env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, encoding: 'utf8',
      });
      expect({ status: record.status, stderr: record.stderr }).toEqual({ status: 0, stderr: '' });
      const doc = JSON.parse(fs.readFileSync(repo.registryFile, 'utf8')) as { models: Array<{ name: string; stage?: string; metrics_snapshot: unknown; release_results?: { outcome: string; steps?: Array<{ weight: number }> } }> };
      expect(doc.models.map((m) => `${m.name}:${m.stage}:${m.release_results?.outcome}`)).toEqual(['species_v1:retired:Promoted', 'species_v2:production:Promoted']);
      expect(doc.models[1]?.release_results?.steps?.map((s) => s.weight)).toEqual([100]);
      expect(doc.models.map((m) => m.metrics_snapshot)).toEqual(['reports/metrics_v1.json', 'reports/metrics_v2.json']);
      expect(repo.render()).toEqual(second); // render ignores stage and release_results
      process.stderr.write(`registry runbook: first release ${Math.round((t1 - t0) / 1000)} s, second ${Math.round((t2 - t1) / 1000)} s, record ${Math.round((Date.now() - t2) / 1000)} s\n`);
    }), 300_000);
});
