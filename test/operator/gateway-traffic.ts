/**
 * User traffic through the demo gateway (test/demo/gateway.ts: routes like a Service over the release's
 * ready EndpointSlice addresses) for the fault e2e tests: ~`rate` /v1/predict requests per second from
 * the demo world, every answer recorded with the version that gave it (`1.1.0 (candidate)` for the
 * candidate track, `none` when the gateway had no ready pod) and its status. What the gateway answered
 * users is what the figures report. Bounded by stop() and a hard time limit.
 */
import { Agent, request } from 'node:http';
import { drawExample } from '../../models/dataset.js';
import { Prng } from '../../models/prng.js';
import type { ApiKubeClient } from '../../operator/runtime/apply.js';
import { KubeListWatch } from '../../operator/runtime/list-watch.js';
import type { RestClient } from '../../operator/runtime/rest-client.js';
import { startGateway, type Gateway } from '../demo/gateway.js';

export interface GatewayAnswer {
  at: number;
  version: string;
  status: number;
}

export interface GatewayTraffic {
  gateway: Gateway;
  answers: GatewayAnswer[];
  /** Answers of `version` (as the gateway names it), optionally only failed (non-2xx) ones. */
  of(version: string, failedOnly?: boolean): GatewayAnswer[];
  /** Non-2xx answers users got, by the version that gave them. */
  failures(): Record<string, number>;
  stop(): Promise<void>;
}

/** Starts a gateway for `release` in `namespace` and sends it ~`rate` requests per second. */
export async function gatewayTraffic(client: ApiKubeClient, rest: RestClient, namespace: string, release: string, rate = 30, maxSeconds = 300): Promise<GatewayTraffic> {
  const answers: GatewayAnswer[] = [];
  const gateway = await startGateway({
    source: new KubeListWatch(client, rest), namespace, release, router: 'replicas',
    onAnswer: (version, status) => answers.push({ at: Date.now(), version, status }),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const rng = new Prng(11);
  let stopped = false;
  const deadline = Date.now() + maxSeconds * 1000;
  const inFlight = new Set<Promise<void>>();
  const post = (body: string) =>
    new Promise<void>((resolve) => {
      const req = request(`${gateway.url}/v1/predict`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 15_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => resolve());
      req.on('timeout', () => req.destroy());
      req.end(body);
    });
  const loop = (async () => {
    while (!stopped && Date.now() < deadline) {
      const p = post(JSON.stringify({ instances: [drawExample(rng, { drift: 0 }).features] }));
      inFlight.add(p);
      void p.then(() => inFlight.delete(p));
      await new Promise((r) => setTimeout(r, 1000 / rate));
    }
  })();
  const ok = (s: number) => s >= 200 && s < 300;
  return {
    gateway,
    answers,
    of: (version, failedOnly = false) => answers.filter((a) => a.version === version && (!failedOnly || !ok(a.status))),
    failures: () => {
      const out: Record<string, number> = {};
      for (const a of answers) if (!ok(a.status)) out[a.version] = (out[a.version] ?? 0) + 1;
      return out;
    },
    stop: async () => {
      stopped = true;
      await loop;
      await Promise.all([...inFlight]);
      agent.destroy();
      await gateway.close();
    },
  };
}
