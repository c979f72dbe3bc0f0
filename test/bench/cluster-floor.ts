/**
 * The cluster's own floor for bench-operator: the same ModelReleases and the very objects the operator
 * creates for a first release (reconciler/desired-objects.ts: the stable Deployment, the release and
 * stable Services), applied directly by the bench with the operator's concurrency and no operator
 * running, timed until every Deployment has its pods ready. It is what the control plane needs for N
 * releases on this machine; the operator's time is printed against it, measured in the same run.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import { resolveRelease } from '../../operator/model/resolved-spec.js';
import { toModelRef } from '../../operator/planner/models.js';
import { desiredObjects } from '../../operator/reconciler/desired-objects.js';
import { resourceOf } from '../../operator/reconciler/owned-kinds.js';
import type { DeploymentLike } from '../../operator/reconciler/observe.js';
import type { ApiKubeClient } from '../../operator/runtime/apply.js';
import { Informer } from '../../operator/runtime/informer.js';
import { KubeListWatch } from '../../operator/runtime/list-watch.js';
import { MODEL_RELEASES } from '../../operator/api/resource.js';
import { DEPLOYMENTS } from '../../operator/runtime/resources.js';
import type { RestClient } from '../../operator/runtime/rest-client.js';
import { waitFor } from '../analysis/processes.js';


/** Runs `fn` over `items`, `width` at a time. */
export async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/**
 * Seconds from the first ModelRelease created (16 at a time, as the operator run does) until every
 * release's Deployment, applied `width` at a time, has its pods ready; undefined after `timeoutS`.
 */
export async function clusterFloor(client: ApiKubeClient, rest: RestClient, namespace: string, releases: ModelRelease[], width: number, timeoutS: number): Promise<number | undefined> {
  const deployments = new Informer<KubernetesObject & DeploymentLike>({ source: new KubeListWatch(client, rest), type: DEPLOYMENTS, namespaces: [namespace] });
  deployments.start();
  try {
    await deployments.waitForSync();
    const t0 = Date.now();
    const created: ModelRelease[] = [];
    await pool(releases, 16, async (r) => {
      created.push(await client.apply(MODEL_RELEASES, r as unknown as KubernetesObject & ModelRelease));
    });
    await pool(created, width, async (r) => {
      const release = resolveRelease(r);
      const desired = { stable: { model: toModelRef(release.spec.model), replicas: release.spec.serving.replicas }, weights: { stable: 100, candidate: 0, mirror: 0 } };
      for (const wave of desiredObjects(release, desired, { stable: 0, candidate: 0 }, {})) {
        await Promise.all(wave.map((o) => client.apply(resourceOf(o), o as unknown as KubernetesObject)));
      }
    });
    const ready = () => deployments.list().filter((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1)).length;
    const allReady = await waitFor(`${releases.length} Deployments ready`, async () => ready() >= releases.length, timeoutS * 1000 - (Date.now() - t0), 250).then(
      () => true,
      () => false,
    );
    return allReady ? (Date.now() - t0) / 1000 : undefined;
  } finally {
    await deployments.stop();
  }
}
