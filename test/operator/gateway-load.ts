/**
 * User traffic through the demo gateway (test/demo/gateway.ts) for fault tests: ~`rate` /v1/predict
 * requests per second with inputs from the demo world, until stop() or `maxSeconds`. The gateway counts
 * what answered by status; this loop only sends (and counts requests that got no answer at all).
 */
import { Agent, request } from 'node:http';
import { drawExample } from '../../models/dataset.js';
import { Prng } from '../../models/prng.js';

export interface GatewayLoad {
  /** Requests that got no HTTP answer from the gateway (it answers 502/503 itself when no pod can). */
  unanswered(): number;
  stop(): Promise<void>;
}

export function gatewayLoad(url: string, rate = 20, maxSeconds = 900): GatewayLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const rng = new Prng(11);
  const deadline = Date.now() + maxSeconds * 1000;
  let stopped = false;
  let unanswered = 0;
  const post = (body: string) =>
    new Promise<void>((resolve) => {
      const req = request(`${url}/v1/predict`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 15_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => {
        unanswered += 1;
        resolve();
      });
      req.on('timeout', () => req.destroy());
      req.end(body);
    });
  const pending = new Set<Promise<void>>();
  const loop = (async () => {
    while (!stopped && Date.now() < deadline) {
      const p = post(JSON.stringify({ instances: [drawExample(rng).features] })).finally(() => pending.delete(p));
      pending.add(p);
      await new Promise((r) => setTimeout(r, 1000 / rate));
    }
  })();
  return {
    unanswered: () => unanswered,
    stop: async () => {
      stopped = true;
      await loop;
      await Promise.all([...pending]);
      agent.destroy();
    },
  };
}
