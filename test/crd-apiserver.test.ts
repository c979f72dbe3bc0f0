// The ModelRelease CRD on a real kube-apiserver (the local control plane): every bad manifest of the
// table is rejected with its schema or CEL message, the examples are accepted, the apiserver's defaults
// equal withDefaults(), and kubectl shows the printer columns and field descriptions.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { withDefaults } from '../operator/api/defaults.js';
import { GROUP, PLURAL, VERSION, type ModelRelease } from '../operator/api/model-release-schema.js';
import { BAD_MANIFESTS, expectedApiserverText, goodManifest } from '../operator/api/testdata/bad-manifests.js';
import { kubectlApply, waitCrdsEstablished } from './cluster/crds.js';
import type { LocalCluster } from './cluster/cluster.js';
import { KubeError } from './cluster/kube-http.js';
import { testCluster, withClusterLogs } from './cluster/test-env.js';

const NAMESPACE = `crd-api-${process.pid}`;
const collection = `/apis/${GROUP}/${VERSION}/namespaces/${NAMESPACE}/${PLURAL}`;
let cluster: LocalCluster;

/** The apiserver's answer to creating `manifest`: undefined when accepted, else its error message. */
async function createError(manifest: unknown, dryRun = true): Promise<string | undefined> {
  try {
    await cluster.kube.request('POST', `${collection}?fieldValidation=Strict${dryRun ? '&dryRun=All' : ''}`, manifest);
    return undefined;
  } catch (error) {
    if (error instanceof KubeError) return error.message;
    throw error;
  }
}

const kubectl = (...args: string[]): string =>
  execFileSync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(async () => {
  cluster = testCluster();
  // The cluster may have been started from an older checkout: apply this one's CRD.
  kubectlApply(cluster.kubectl, cluster.kubeconfig, ['crds/modelrelease.yaml']);
  await waitCrdsEstablished(cluster.kube);
  await cluster.kube.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
}, 60_000);

afterAll(async () => {
  await cluster.kube.request('DELETE', `/api/v1/namespaces/${NAMESPACE}`).catch(() => undefined);
  cluster.kube.close();
});

describe('ModelRelease CRD on the apiserver', () => {
  it('accepts the good manifest (dry run)', async () => {
    expect(await createError(goodManifest())).toBeUndefined();
  });

  const routable = BAD_MANIFESTS.filter((b) => b.apiserver !== null);
  it.each(routable.map((b) => [b.name, b] as const))('rejects: %s', async (_, entry) => {
    await withClusterLogs(cluster, async () => {
      const message = await createError(entry.manifest);
      expect(message).toBeDefined();
      for (const text of expectedApiserverText(entry)) expect(message).toContain(text);
    });
  });

  it('accepts every example, and stores the same defaults as withDefaults()', async () => {
    const dir = 'operator/api/examples';
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const manifest = parse(readFileSync(join(dir, file), 'utf8')) as ModelRelease;
      manifest.metadata.namespace = NAMESPACE;
      expect([file, await createError(manifest, false)]).toEqual([file, undefined]);
      const stored = await cluster.kube.request<ModelRelease>('GET', `${collection}/${manifest.metadata.name}`);
      expect([file, stored.spec]).toEqual([file, withDefaults(manifest.spec)]);
    }
  });

  it('prints the columns and explains the fields', () => {
    const header = kubectl('get', 'modelreleases', '-n', NAMESPACE).split('\n')[0] ?? '';
    expect(header.split(/\s+/)).toEqual(expect.arrayContaining(['NAME', 'PHASE', 'STABLE', 'CANDIDATE', 'WEIGHT', 'AGE']));
    expect(kubectl('get', 'mr', '-n', NAMESPACE, '-o', 'wide').split('\n')[0]).toContain('MESSAGE');
    const explain = kubectl('explain', 'modelrelease.spec.rollout');
    expect(explain).toContain('How a new model goes from staging through canary to production.');
    expect(explain).toMatch(/steps\s+<\[\]Object>/);
  });
});
