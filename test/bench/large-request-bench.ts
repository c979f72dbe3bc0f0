// `make bench-large-request`: what one maximum-size request costs tern-server, one at a time on a quiet
// server: the largest OIP binary image batch and the largest OIP JSON image batch under the body limit
// (64 MiB), and /v1/predict at the row limit (4,096 vectors). For each: status and time, the worst and p99
// /healthz latency while it runs (probed every 10 ms from a worker thread: the kubelet's view), and the
// server's RSS before, at its peak (sampled every 20 ms) and 60 s after the last request (BENCH_SETTLE_S),
// to show that memory returns towards its baseline. Bounded: one request per case, about 90 s in all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { drawExamples } from '../../models/dataset.js';
import { Prng } from '../../models/prng.js';
import { repoRoot } from '../cluster/paths.js';
import { IMAGE_DIMS, imageModelOnnx } from './image-model.js';
import { rssBytes } from './proc-stats.js';
import { startTernServer, stopTernServer, type TernServerProcess } from './tern-server-process.js';

const ROOT = repoRoot();
const BODY_LIMIT = 64 * 1024 * 1024;
const SETTLE_S = Number(process.env['BENCH_SETTLE_S'] ?? '60');
const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

type Server = TernServerProcess;

const startServer = (modelPath: string, name: string): Promise<Server> => startTernServer(modelPath, name, ['--rejection-threshold', '0'], { readyTimeoutMs: 20_000 });

/** /healthz every 10 ms from a worker thread (health-probe.ts) for `ms`; the latencies (ms). */
function healthProbe(port: number, ms: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./health-probe.js', import.meta.url), { workerData: { port, ms } });
    w.once('message', (m: number[]) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

interface Outcome {
  what: string;
  bodyBytes: number;
  status: number;
  replyBytes: number;
  seconds: number;
  /** /healthz latencies (ms) while the request ran and 1 s after. */
  health: number[];
  rssBefore: number;
  rssPeak: number;
}

/** Sends one request inside a PROBE_MS window of /healthz probes, sampling the server's RSS every 20 ms. */
const PROBE_MS = 20_000;
async function measure(s: Server, what: string, path: string, body: Buffer, headers: Record<string, string>): Promise<Outcome> {
  const rssBefore = rssBytes(s.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(s.pid))), 20);
  const probe = healthProbe(s.port, PROBE_MS);
  const windowStart = performance.now();
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${s.port}${path}`, { method: 'POST', headers, body });
  const reply = await res.arrayBuffer();
  const seconds = (performance.now() - t0) / 1000;
  if (performance.now() - windowStart > PROBE_MS - 1000) console.log(`  (${what} outlasted the ${PROBE_MS / 1000} s probe window: health figures cover its start only)`);
  const health = await probe;
  clearInterval(sampler);
  return { what, bodyBytes: body.length, status: res.status, replyBytes: reply.byteLength, seconds, health, rssBefore, rssPeak };
}

function line(o: Outcome): string {
  const sorted = [...o.health].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? NaN;
  return `${o.what.padEnd(44)} ${MiB(o.bodyBytes).padStart(8)} -> ${o.status} ${MiB(o.replyBytes).padStart(7)} in ${o.seconds.toFixed(2).padStart(6)} s | ` +
    `/healthz worst ${(sorted.at(-1) ?? NaN).toFixed(1).padStart(6)} ms, p99 ${p99.toFixed(1).padStart(5)} ms (${sorted.length} probes) | RSS ${MiB(o.rssBefore)} -> peak ${MiB(o.rssPeak)}`;
}

async function main(): Promise<void> {
  console.log(`tern-server, one maximum-size request at a time (body limit ${MiB(BODY_LIMIT)}, 4,096 rows); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const tmp = mkdtempSync(join(tmpdir(), 'tern-large-'));
  const servers: Server[] = [];
  try {
    const imagePath = join(tmp, 'image.onnx');
    writeFileSync(imagePath, imageModelOnnx());
    const per = IMAGE_DIMS.reduce((a, b) => a * b, 1);
    const rng = new Prng(11);
    const image = Float32Array.from({ length: per }, () => rng.next());
    const img = await startServer(imagePath, 'image');
    servers.push(img);
    const demo = await startServer(join(ROOT, 'models/species/species-1.1.0.onnx'), 'species');
    servers.push(demo);
    const baseline = { image: rssBytes(img.pid), species: rssBytes(demo.pid) };

    // OIP binary: as many images as fit under the body limit.
    const headerOf = (n: number) => Buffer.from(JSON.stringify({ inputs: [{ name: 'image', shape: [n, ...IMAGE_DIMS], datatype: 'FP32', parameters: { binary_data_size: n * per * 4 } }] }));
    const nBinary = Math.floor((BODY_LIMIT - 512) / (per * 4));
    const binHeader = headerOf(nBinary);
    const binData = Buffer.alloc(nBinary * per * 4);
    for (let i = 0; i < nBinary; i++) Buffer.from(image.buffer).copy(binData, i * per * 4);
    const binBody = Buffer.concat([binHeader, binData]);
    // OIP JSON: as many images as fit under the body limit, written as a flat data array.
    const oneJson = JSON.stringify(Array.from(image)).slice(1, -1);
    const nJson = Math.floor((BODY_LIMIT - 512) / (oneJson.length + 1));
    const jsonBody = Buffer.from(`{"inputs":[{"name":"image","shape":[${nJson},${IMAGE_DIMS.join(',')}],"datatype":"FP32","data":[${Array(nJson).fill(oneJson).join(',')}]}]}`);
    // /v1/predict at the row limit.
    const vectors = drawExamples(new Prng(3), 4096).map((e) => e.features);
    const v1Body = Buffer.from(JSON.stringify({ instances: vectors }));

    const outcomes = [
      await measure(img, `OIP binary, ${nBinary} images 3x48x192`, '/v2/models/image/infer', binBody,
        { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(binHeader.length) }),
      await measure(img, `OIP JSON, ${nJson} images 3x48x192`, '/v2/models/image/infer', jsonBody, { 'content-type': 'application/json' }),
      await measure(demo, '/v1/predict, 4,096 species vectors', '/v1/predict', v1Body, { 'content-type': 'application/json' }),
    ];
    for (const o of outcomes) console.log(line(o));
    console.log(`waiting ${SETTLE_S} s for memory to settle ...`);
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    console.log(`RSS image server: baseline ${MiB(baseline.image)}, ${SETTLE_S} s after its last request ${MiB(rssBytes(img.pid))}`);
    console.log(`RSS species server: baseline ${MiB(baseline.species)}, ${SETTLE_S} s after its last request ${MiB(rssBytes(demo.pid))}`);
  } finally {
    for (const s of servers) await stopTernServer(s);
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
