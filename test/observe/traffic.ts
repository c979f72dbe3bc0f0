// Sends real /v1/predict traffic straight to the inference pods of a release (no kube-proxy on the local
// node): in-distribution inputs to the stable track, and a chosen mix to the candidate track. Bounded in
// time and count; stop() waits for the loop to end.
import { drawExamples } from '../../models/dataset.js';
import { Prng } from '../../models/prng.js';
import type { LocalCluster } from '../cluster/cluster.js';
import type { PodInfo } from './chart-release.js';

/** What each track receives. */
export interface TrafficOptions {
  namespace: string;
  release: string;
  /** Share of target inputs sent to the candidate (0: every input is "not a target"). */
  candidateTargetRatio?: number;
  batch?: number;
  intervalMs?: number;
  maxDurationMs?: number;
}

/** A running traffic loop. */
export interface Traffic {
  sent(): { stable: number; candidate: number; failed: number };
  stop(): Promise<void>;
}

/** The ready pods of one track with their address. */
async function trackPods(cluster: LocalCluster, namespace: string, release: string, track: string): Promise<string[]> {
  const selector = encodeURIComponent(`serving.tern.dev/release=${release},serving.tern.dev/track=${track}`);
  const pods = await cluster.kube.request<{ items: PodInfo[] }>('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=${selector}`);
  return pods.items
    .filter((p) => p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => `http://${p.status?.podIP}:${p.spec?.containers[0]?.ports?.[0]?.containerPort ?? 8080}`);
}

/** Starts sending traffic until stop() or maxDurationMs. */
export function startTraffic(cluster: LocalCluster, options: TrafficOptions): Traffic {
  const rng = new Prng(0x5eed);
  const counts = { stable: 0, candidate: 0, failed: 0 };
  const deadline = Date.now() + (options.maxDurationMs ?? 10 * 60_000);
  const batch = options.batch ?? 8;
  let stopped = false;
  const send = async (url: string, targetRatio: number, track: 'stable' | 'candidate') => {
    const instances = drawExamples(rng, batch, { targetRatio }).map((e) => e.features);
    try {
      const res = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances }) });
      await res.arrayBuffer();
      counts[track]++;
    } catch {
      counts.failed++;
    }
  };
  const loop = (async () => {
    while (!stopped && Date.now() < deadline) {
      const [stable, candidate] = await Promise.all([
        trackPods(cluster, options.namespace, options.release, 'stable').catch(() => []),
        trackPods(cluster, options.namespace, options.release, 'canary').catch(() => []),
      ]);
      for (let i = 0; i < 5 && !stopped; i++) {
        await Promise.all([
          ...stable.map((url) => send(url, 0.8, 'stable')),
          ...candidate.map((url) => send(url, options.candidateTargetRatio ?? 0.8, 'candidate')),
        ]);
        await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
      }
    }
  })();
  return {
    sent: () => ({ ...counts }),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
