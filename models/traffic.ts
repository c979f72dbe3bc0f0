// The traffic generator: sends /v1/predict requests drawn from the demo models' distribution (optionally
// shifted: drift) to one or more loopback servers, at a target rate and concurrency, bounded in count and
// time, and summarises what came back. Refuses non-loopback targets.
import { Agent, request } from 'node:http';
import { drawExample, type DrawOptions } from './dataset.js';
import { Prng } from './prng.js';

/** Traffic settings. */
export interface TrafficOptions {
  /** Base URLs (http://127.x.y.z:port), used round-robin. */
  urls: string[];
  /** Requests per second overall; 0 = as fast as the concurrency allows. */
  rate: number;
  concurrency: number;
  /** Stop after this many requests ... */
  count: number;
  /** ... or after this many seconds, whichever comes first. */
  durationSeconds: number;
  /** Feature vectors per request. */
  batch: number;
  drift: number;
  targetRatio: number;
  seed: number;
}

/** What happened. */
export interface TrafficSummary {
  requests: number;
  predictions: number;
  by_status: Record<string, number>;
  transport_errors: number;
  rejected: number;
  target_score_mean: number | null;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
  duration_s: number;
  requests_per_s: number;
  by_version: Record<string, number>;
}

/** Throws unless every URL points at loopback. */
export function assertLoopback(urls: readonly string[]): void {
  for (const u of urls) {
    const host = new URL(u).hostname;
    if (!(host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]')) {
      throw new Error(`traffic target ${u} is not on loopback (127.0.0.0/8); refusing to send traffic there`);
    }
  }
}

const quantile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

interface Reply {
  status: number;
  body: string;
}

function post(agent: Agent, url: URL, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out after 10 s')));
    req.end(body);
  });
}

/** Runs the traffic and returns the summary. */
export async function runTraffic(o: TrafficOptions): Promise<TrafficSummary> {
  assertLoopback(o.urls);
  if (o.urls.length === 0) throw new Error('no target URLs');
  const rng = new Prng(o.seed);
  const draw: DrawOptions = { drift: o.drift, targetRatio: o.targetRatio };
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const targets = o.urls.map((u) => new URL('v1/predict', u.endsWith('/') ? u : `${u}/`));
  const started = Date.now();
  const deadline = started + o.durationSeconds * 1000;
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  const byVersion: Record<string, number> = {};
  let issued = 0;
  let transportErrors = 0;
  let predictions = 0;
  let rejected = 0;
  let scoreSum = 0;
  let scored = 0;

  const worker = async (): Promise<void> => {
    for (;;) {
      if (issued >= o.count || Date.now() >= deadline) return;
      const index = issued++;
      if (o.rate > 0) {
        const due = started + (index * 1000) / o.rate;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (Date.now() >= deadline) return;
      }
      const instances = Array.from({ length: o.batch }, () => drawExample(rng, draw).features.map((x) => Math.round(x * 1e4) / 1e4));
      const t0 = performance.now();
      try {
        const reply = await post(agent, targets[index % targets.length] as URL, JSON.stringify({ instances }));
        latencies.push(performance.now() - t0);
        byStatus[reply.status] = (byStatus[reply.status] ?? 0) + 1;
        if (reply.status === 200) {
          const doc = JSON.parse(reply.body) as { model: { version: string }; predictions: Array<{ target_score: number; rejected: boolean }> };
          byVersion[doc.model.version] = (byVersion[doc.model.version] ?? 0) + 1;
          for (const p of doc.predictions) {
            predictions++;
            scoreSum += p.target_score;
            scored++;
            if (p.rejected) rejected++;
          }
        }
      } catch {
        transportErrors++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  agent.destroy();
  const duration = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  const requests = latencies.length + transportErrors;
  return {
    requests, predictions, by_status: byStatus, transport_errors: transportErrors, rejected,
    target_score_mean: scored ? r3(scoreSum / scored) : null,
    latency_ms: { p50: r3(quantile(latencies, 0.5)), p95: r3(quantile(latencies, 0.95)), p99: r3(quantile(latencies, 0.99)), max: r3(latencies.at(-1) ?? 0) },
    duration_s: r3(duration), requests_per_s: r3(requests / Math.max(duration, 1e-3)), by_version: byVersion,
  };
}
