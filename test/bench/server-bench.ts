// `make bench-server`: raw onnxruntime-node in-process (single and batched) vs tern-server over loopback
// HTTP at concurrency 1, 8 and 32, measured side by side in one run, for the demo model (/v1/predict JSON)
// and an image-sized 3x48x192 input (OIP JSON and OIP binary). Prints the ratios against the targets of
// issue 4. Bounded: about 2 minutes in total (BENCH_SECONDS per measurement, default 3).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawExamples } from '../../models/dataset.js';
import { Prng } from '../../models/prng.js';
import { InProcessRunner } from '../../server/in-process-runner.js';
import type { Feeds } from '../../server/tensor.js';
import { IMAGE_DIMS, imageModelOnnx } from './image-model.js';

const ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/dist\/$/, '/');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? '3');
const CONCURRENCY = [1, 8, 32];

interface Measured {
  perSecond: number;
  itemsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number) : NaN;
};
const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

async function measureRaw(runner: InProcessRunner, feeds: () => Feeds, rows: number): Promise<Measured> {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  for (let i = 0; i < 20; i++) await runner.run(feeds());
  while (performance.now() < end) {
    const f = feeds();
    const t0 = performance.now();
    await runner.run(f);
    latencies.push(performance.now() - t0);
  }
  const n = latencies.length;
  return { perSecond: n / SECONDS, itemsPerSecond: (n * rows) / SECONDS, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), errors: 0 };
}

function send(agent: Agent, port: number, path: string, body: Buffer | undefined, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', agent, headers: body ? { ...headers, 'content-length': String(body.length) } : headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function measureHttp(port: number, path: string, body: Buffer, headers: Record<string, string>, concurrency: number, rows: number, probeHealth = false): Promise<Measured & { healthP99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  for (let i = 0; i < concurrency * 2; i++) await send(agent, port, path, body, headers);
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const status = await send(agent, port, path, body, headers).catch(() => 0);
      latencies.push(performance.now() - t0);
      if (status !== 200) errors++;
    }
  };
  const health: number[] = [];
  const probe = async (): Promise<void> => {
    const hAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (performance.now() < end) {
      const t0 = performance.now();
      await send(hAgent, port, '/healthz', undefined, {});
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
    hAgent.destroy();
  };
  await Promise.all([...Array.from({ length: concurrency }, worker), ...(probeHealth ? [probe()] : [])]);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const n = latencies.length;
  return { perSecond: n / elapsed, itemsPerSecond: (n * rows) / elapsed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), errors, healthP99: quantile(health, 0.99) };
}

async function startServer(modelPath: string, name: string, maxBatch: number): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/tern-server.js'), '--model-url', `file://${modelPath}`, '--model-name', name,
    '--model-version', '1.0.0', '--host', '127.0.0.1', '--port', '0', '--max-batch-size', String(maxBatch), '--rejection-threshold', '0',
    ...(process.env['BENCH_SERVER_ARGS'] ?? '').split(' ').filter(Boolean)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr?.on('data', (c: Buffer) => {
      log += c.toString();
      const m = /"listening[^\n]*"port":(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`tern-server exited ${code}: ${log}`)));
  });
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { proc, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tern-server never became ready: ${log}`);
}

async function stopServer(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

interface Row {
  model: string;
  mode: string;
  concurrency: number | string;
  m: Measured;
}
const rows: Row[] = [];
const print = (r: Row): void => {
  rows.push(r);
  console.log(`${r.model.padEnd(8)} ${r.mode.padEnd(30)} c=${String(r.concurrency).padEnd(3)} ${fmt(r.m.perSecond, 0).padStart(8)} req/s ${fmt(r.m.itemsPerSecond, 0).padStart(8)} items/s  p50 ${fmt(r.m.p50, 3).padStart(7)} ms  p99 ${fmt(r.m.p99, 3).padStart(7)} ms${r.m.errors ? `  errors ${r.m.errors}` : ''}`);
};

async function main(): Promise<void> {
  console.log(`tern-server benchmark: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${SECONDS}s per measurement`);
  const tmp = mkdtempSync(join(tmpdir(), 'tern-bench-'));
  const results: Record<string, number> = {};
  let healthP99 = 0;
  try {
    // ---- demo model -------------------------------------------------------------------------------
    const demoPath = join(ROOT, 'models/species/species-1.1.0.onnx');
    const vectors = drawExamples(new Prng(1), 256).map((e) => e.features);
    const demoFeeds = (n: number) => (): Feeds => ({ features: { dims: [n, 16], data: Float32Array.from(vectors.slice(0, n).flat()) } });
    const raw = await InProcessRunner.create(readFileSync(demoPath));
    const rawSingle = await measureRaw(raw, demoFeeds(1), 1);
    print({ model: 'demo', mode: 'raw onnxruntime batch=1', concurrency: '-', m: rawSingle });
    const rawBatched = await measureRaw(raw, demoFeeds(64), 64);
    print({ model: 'demo', mode: 'raw onnxruntime batch=64', concurrency: '-', m: rawBatched });
    await raw.close();
    const demo = await startServer(demoPath, 'species', 64);
    const json = { 'content-type': 'application/json' };
    let demoBest = 0;
    let demoSingleP50 = NaN;
    let demoBatchedBest = 0;
    for (const c of CONCURRENCY) {
      const m = await measureHttp(demo.port, '/v1/predict', Buffer.from(JSON.stringify({ features: vectors[c % 256] })), json, c, 1, c === 32);
      print({ model: 'demo', mode: 'tern-server /v1 JSON 1/request', concurrency: c, m });
      if (c === 1) demoSingleP50 = m.p50;
      if (c === 32) healthP99 = Math.max(healthP99, m.healthP99);
      demoBest = Math.max(demoBest, m.itemsPerSecond);
      demoBatchedBest = Math.max(demoBatchedBest, m.itemsPerSecond);
    }
    for (const c of CONCURRENCY) {
      const m = await measureHttp(demo.port, '/v1/predict', Buffer.from(JSON.stringify({ instances: vectors.slice(0, 32) })), json, c, 32, c === 32);
      print({ model: 'demo', mode: 'tern-server /v1 JSON 32/request', concurrency: c, m });
      if (c === 32) healthP99 = Math.max(healthP99, m.healthP99);
      demoBest = Math.max(demoBest, m.itemsPerSecond);
    }
    await stopServer(demo.proc);
    results['demo_raw_single_p50_ms'] = rawSingle.p50;
    results['demo_server_c1_p50_ms'] = demoSingleP50;
    results['demo_single_p50_overhead_ms'] = demoSingleP50 - rawSingle.p50;
    results['demo_best_predictions_per_s'] = demoBest;
    results['demo_1perreq_best_over_raw_batched'] = demoBatchedBest / rawBatched.itemsPerSecond;
    results['demo_best_over_raw_batched'] = demoBest / rawBatched.itemsPerSecond;

    // ---- image-sized model -------------------------------------------------------------------------
    const imagePath = join(tmp, 'bench-image.onnx');
    writeFileSync(imagePath, imageModelOnnx());
    const per = IMAGE_DIMS.reduce((a, b) => a * b, 1);
    const rng = new Prng(7);
    const image = Float32Array.from({ length: per }, () => rng.next());
    const imageFeeds = (n: number) => (): Feeds => {
      const data = new Float32Array(n * per);
      for (let i = 0; i < n; i++) data.set(image, i * per);
      return { image: { dims: [n, ...IMAGE_DIMS], data } };
    };
    const rawImg = await InProcessRunner.create(imagePath);
    const imgSingle = await measureRaw(rawImg, imageFeeds(1), 1);
    print({ model: 'image', mode: 'raw onnxruntime batch=1', concurrency: '-', m: imgSingle });
    const imgBatched = await measureRaw(rawImg, imageFeeds(8), 8);
    print({ model: 'image', mode: 'raw onnxruntime batch=8', concurrency: '-', m: imgBatched });
    await rawImg.close();
    const img = await startServer(imagePath, 'image', 8);
    const shape = [1, ...IMAGE_DIMS];
    const jsonBody = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', shape, datatype: 'FP32', data: Array.from(image) }] }));
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', shape, datatype: 'FP32', parameters: { binary_data_size: per * 4 } }] }));
    const binBody = Buffer.concat([header, Buffer.from(image.buffer)]);
    const binHeaders = { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) };
    let bestJson = 0;
    let bestBin = 0;
    let imgC1 = NaN;
    for (const c of CONCURRENCY) {
      const mj = await measureHttp(img.port, '/v2/models/image/infer', jsonBody, json, c, 1);
      print({ model: 'image', mode: 'tern-server OIP JSON', concurrency: c, m: mj });
      bestJson = Math.max(bestJson, mj.itemsPerSecond);
      const mb = await measureHttp(img.port, '/v2/models/image/infer', binBody, binHeaders, c, 1, c === 32);
      print({ model: 'image', mode: 'tern-server OIP binary', concurrency: c, m: mb });
      bestBin = Math.max(bestBin, mb.itemsPerSecond);
      if (c === 1) imgC1 = mb.p50;
      if (c === 32) healthP99 = Math.max(healthP99, mb.healthP99);
    }
    await stopServer(img.proc);
    results['image_json_best_over_raw_batched'] = bestJson / imgBatched.itemsPerSecond;
    results['image_binary_best_over_raw_batched'] = bestBin / imgBatched.itemsPerSecond;
    results['image_binary_single_p50_overhead_ms'] = imgC1 - imgSingle.p50;
    results['healthz_p99_ms_saturated'] = healthP99;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const verdict = (ok: boolean): string => (ok ? 'meets target' : 'MISSES target');
  console.log('\nratios and targets (issue 4):');
  console.log(`  image, binary: best server throughput / raw batched   ${fmt(results['image_binary_best_over_raw_batched'] ?? NaN)}x  (target >= 0.8) ${verdict((results['image_binary_best_over_raw_batched'] ?? 0) >= 0.8)}`);
  console.log(`  image, JSON:   best server throughput / raw batched   ${fmt(results['image_json_best_over_raw_batched'] ?? NaN)}x`);
  console.log(`  demo, 32 vectors/request: best / raw batched          ${fmt(results['demo_best_over_raw_batched'] ?? NaN)}x  (target >= 0.8) ${verdict((results['demo_best_over_raw_batched'] ?? 0) >= 0.8)}`);
  console.log(`  demo, 1 vector/request:   best / raw batched          ${fmt(results['demo_1perreq_best_over_raw_batched'] ?? NaN)}x  (HTTP-bound: one request per prediction)`);
  console.log(`  demo single-request p50 overhead over raw             ${fmt(results['demo_single_p50_overhead_ms'] ?? NaN, 3)} ms (target <= 1 ms) ${verdict((results['demo_single_p50_overhead_ms'] ?? 9) <= 1)}`);
  console.log(`  image single-request p50 overhead over raw (binary)   ${fmt(results['image_binary_single_p50_overhead_ms'] ?? NaN, 3)} ms`);
  console.log(`  demo predictions/s (best)                             ${fmt(results['demo_best_predictions_per_s'] ?? NaN, 0)} (target >= 10000) ${verdict((results['demo_best_predictions_per_s'] ?? 0) >= 10000)}`);
  console.log(`  /healthz p99 while saturated (c=32)                   ${fmt(results['healthz_p99_ms_saturated'] ?? NaN, 3)} ms (target <= 10 ms) ${verdict((results['healthz_p99_ms_saturated'] ?? 99) <= 10)}`);
  console.log(`\n${JSON.stringify({ results })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
