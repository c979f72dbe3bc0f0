/**
 * Live traffic "through the release Service" for e2e tests: the local cluster has no kube-proxy, so this
 * client does what kube-proxy would — it reads the Service's selector, finds the Ready pods it selects
 * and spreads /v1/predict requests over them round-robin. With the replicas router the candidate's
 * share of pods is its weight, so the candidate gets exactly the traffic a real client mix would give it.
 * Inputs come from the demo world (models/dataset.ts); bounded by a stop() call and a hard time limit.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { Agent, request } from 'node:http';
import { drawExample } from '../../models/dataset.js';
import { Prng } from '../../models/prng.js';
import type { ApiKubeClient } from '../../operator/runtime/apply.js';
import { PODS, SERVICES } from '../../operator/runtime/resources.js';

interface PodJson extends KubernetesObject {
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

export interface ServiceTraffic {
  /** Requests answered, by the model version that answered. */
  byVersion: Map<string, number>;
  /** When (epoch ms) each version last answered. */
  lastAnswerAt: Map<string, number>;
  /** Requests answered, by the rejection threshold the answering pod runs with (`rejection_threshold` of /v1/predict). */
  byThreshold: Map<number, number>;
  /** Shift the inputs away from the training distribution from now on (0 none .. 1 far; models/dataset.ts). */
  setDrift(drift: number): void;
  sent(): number;
  stop(): Promise<void>;
}

/** Sends ~`rate` requests per second to the pods behind Service `namespace/name` until stop() (or `maxSeconds`). */
export function serviceTraffic(client: ApiKubeClient, namespace: string, name: string, port: number, rate = 40, maxSeconds = 600): ServiceTraffic {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const rng = new Prng(7);
  const byVersion = new Map<string, number>();
  const lastAnswerAt = new Map<string, number>();
  const byThreshold = new Map<number, number>();
  let drift = 0;
  let targets: string[] = [];
  let sent = 0;
  let stopped = false;
  const deadline = Date.now() + maxSeconds * 1000;

  const refresh = async (): Promise<void> => {
    const svc = await client.get<KubernetesObject & { spec?: { selector?: Record<string, string> } }>(SERVICES, namespace, name);
    const selector = Object.entries(svc?.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    if (!selector) return void (targets = []);
    const { items } = await client.list<PodJson>(PODS, { namespace, labelSelector: selector });
    targets = items
      .filter((p) => p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((p) => `http://${p.status?.podIP}:${port}/v1/predict`);
  };
  const post = (url: string, body: string) =>
    new Promise<void>((resolve) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 5000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString()) as { model?: { version?: string }; rejection_threshold?: number };
            const version = answer.model?.version;
            if (typeof answer.rejection_threshold === 'number') byThreshold.set(answer.rejection_threshold, (byThreshold.get(answer.rejection_threshold) ?? 0) + 1);
            if (version) {
              byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
              lastAnswerAt.set(version, Date.now());
            }
          } catch {
            // a non-JSON answer (e.g. a pod shutting down) counts as sent, not answered
          }
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.on('timeout', () => req.destroy());
      req.end(body);
    });

  const loops = (async () => {
    let i = 0;
    let lastRefresh = 0;
    while (!stopped && Date.now() < deadline) {
      if (Date.now() - lastRefresh > 500) {
        await refresh().catch(() => undefined);
        lastRefresh = Date.now();
      }
      const url = targets[i++ % Math.max(targets.length, 1)];
      if (url) {
        sent += 1;
        void post(url, JSON.stringify({ instances: [drawExample(rng, { drift }).features] }));
      }
      await new Promise((r) => setTimeout(r, 1000 / rate));
    }
  })();

  return {
    byVersion,
    lastAnswerAt,
    byThreshold,
    setDrift: (d: number) => void (drift = d),
    sent: () => sent,
    stop: async () => {
      stopped = true;
      await loops;
      agent.destroy();
    },
  };
}
