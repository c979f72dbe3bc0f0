/** @jest-environment ./server/ort-jest-environment.mjs */
// The HTTP layer against a real demo model (onnxruntime in-process runner) over loopback: predictions,
// OIP JSON and binary, and every kind of bad input answered with a 4xx and a message, never a 5xx.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { faultSwitch, faultsOf } from './faults.js';
import { parseVisibleDevices, type GpuDevices } from './gpu-devices.js';
import { parseConfig, type ServerConfig } from './config.js';
import { InProcessRunner } from './in-process-runner.js';
import { ServerMetrics } from './metrics.js';
import { ModelService } from './model-service.js';
import { buildModelSpec } from './model-spec.js';
import { readOnnxMetadata } from './onnx-metadata.js';

const MODEL = new URL('../models/species/species-1.1.0.onnx', import.meta.url).pathname;
let server: Server;
let base: string;
let runner: InProcessRunner;
let service: ModelService;
const features = Array.from({ length: 16 }, (_, i) => Math.sin(i));

async function start(overrides: string[] = [], gpus?: GpuDevices): Promise<void> {
  const config: ServerConfig = parseConfig(
    ['--model-url', `file://${MODEL}`, '--model-version', '1.1.0', '--baseline-score', '0.75', '--max-body-bytes', '200000', ...overrides],
    {}, () => '', 2,
  );
  const bytes = readFileSync(MODEL);
  runner = await InProcessRunner.create(bytes);
  const { inputs, outputs } = runner.specs();
  service = new ModelService(config, new ServerMetrics(), () => {});
  service.attach(buildModelSpec(inputs, outputs, readOnnxMetadata(bytes)), runner, 'cpu', 'abc');
  await service.warmUp();
  service.markReady();
  server = createServer(createApp(service, { serverVersion: 'test', isDraining: () => false, gpus })).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await runner.close();
}

const post = (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers });

describe('tern-server HTTP API (real model, in-process runner)', () => {
  beforeAll(() => start());
  afterAll(() => stop());

  it('predicts labels, class index, confidence and target score', async () => {
    const res = await post('/v1/predict', JSON.stringify({ instances: [features, features.map((x) => -x)] }));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { model: unknown; predictions: Array<Record<string, unknown>>; latency_ms: number };
    expect(doc.model).toEqual({ name: 'species', version: '1.1.0' });
    expect(doc.predictions).toHaveLength(2);
    for (const p of doc.predictions) {
      expect(typeof p['label']).toBe('string');
      expect(p['class_index']).toBeGreaterThanOrEqual(0);
      expect(p['confidence']).toBeGreaterThan(0);
      expect(typeof p['target_score']).toBe('number');
      expect(p['rejected']).toBe((p['target_score'] as number) < 0.5);
    }
    expect(doc.latency_ms).toBeGreaterThan(0);
    expect(Object.keys(doc)).toEqual(['model', 'predictions', 'rejection_threshold', 'latency_ms']);
    expect((doc as unknown as Record<string, unknown>)['rejection_threshold']).toBe(0.5);
  });

  it('answers OIP JSON and binary infer requests identically', async () => {
    const json = await post('/v2/models/species/infer', JSON.stringify({
      id: 'r1', inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', data: features }],
    }));
    expect(json.status).toBe(200);
    const doc = (await json.json()) as { id: string; outputs: Array<{ name: string; shape: number[]; data: number[] }> };
    expect(doc.id).toBe('r1');
    const target = doc.outputs.find((o) => o.name === 'target_score');
    expect(target?.shape).toEqual([1]);

    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', parameters: { binary_data_size: 64 } }],
      outputs: [{ name: 'target_score', parameters: { binary_data: true } }],
    }));
    const body = Buffer.concat([header, Buffer.from(new Float32Array(features).buffer)]);
    const bin = await post('/v2/models/species/infer', body, { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) });
    expect(bin.status).toBe(200);
    const raw = Buffer.from(await bin.arrayBuffer());
    const n = Number(bin.headers.get('inference-header-content-length'));
    const head = JSON.parse(raw.subarray(0, n).toString()) as { outputs: Array<{ parameters: { binary_data_size: number } }> };
    expect(head.outputs[0]?.parameters.binary_data_size).toBe(4);
    expect(raw.readFloatLE(n)).toBeCloseTo(target?.data[0] ?? -1, 6);
  });

  it('serves model metadata and readiness in OIP form', async () => {
    const meta = (await (await fetch(`${base}/v2/models/species`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ name: 'species', versions: ['1.1.0'], inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 16] }] });
    expect((await fetch(`${base}/v2/models/species/ready`)).status).toBe(200);
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(200);
  });

  function binaryRequest(declared: number, bytes: Buffer): [Buffer, Record<string, string>] {
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', parameters: { binary_data_size: declared } }] }));
    return [Buffer.concat([header, bytes]), { 'inference-header-content-length': String(header.length) }];
  }
  const bad: Array<[string, string, string | Buffer, Record<string, string> | undefined, number, RegExp]> = [
    ['malformed JSON', '/v1/predict', '{"instances": [', undefined, 400, /not valid JSON/],
    ['empty body', '/v1/predict', '', undefined, 400, /empty/],
    ['empty batch', '/v1/predict', '{"instances": []}', undefined, 400, /empty batch/],
    ['wrong length', '/v1/predict', '{"instances": [[1,2,3]]}', undefined, 400, /has 3 values; the model expects 16/],
    ['string value', '/v1/predict', JSON.stringify({ instances: [[...features.slice(0, 15), 'NaN']] }), undefined, 400, /value 15 is "NaN"/],
    ['null value', '/v1/predict', JSON.stringify({ features: [...features.slice(0, 15), null] }), undefined, 400, /finite number/],
    ['float32 overflow', '/v1/predict', `{"features": [${[...features.slice(0, 15), '1e39'].join(',')}]}`, undefined, 400, /float32/],
    ['not an object', '/v1/predict', '[1,2]', undefined, 400, /JSON object/],
    ['wrong content type', '/v1/predict', 'x', { 'content-type': 'text/plain' }, 415, /content type/],
    ['too large', '/v1/predict', JSON.stringify({ instances: Array.from({ length: 2000 }, () => features) }), undefined, 413, /limit/],
    ['unknown model', '/v2/models/other/infer', '{}', undefined, 404, /unknown model "other"/],
    ['unknown version', '/v2/models/species/versions/9.9.9/infer', '{}', undefined, 404, /version "9.9.9"/],
    ['OIP wrong shape', '/v2/models/species/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 15], datatype: 'FP32', data: features.slice(0, 15) }] }), undefined, 400, /does not match/],
    ['OIP wrong datatype', '/v2/models/species/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 16], datatype: 'INT64', data: features }] }), undefined, 400, /INT64 is not supported/],
    ['OIP data count', '/v2/models/species/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [2, 16], datatype: 'FP32', data: features }] }), undefined, 400, /16 values for shape \[2,16\]/],
    ['OIP empty batch', '/v2/models/species/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [0, 16], datatype: 'FP32', data: [] }] }), undefined, 400, /empty/],
    ['OIP unknown input', '/v2/models/species/infer', JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 16], datatype: 'FP32', data: features }] }), undefined, 400, /unknown input "pixels"/],
    ['OIP no inputs', '/v2/models/species/infer', '{"inputs": []}', undefined, 400, /non-empty array/],
    ['OIP unknown output', '/v2/models/species/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', data: features }], outputs: [{ name: 'x' }] }), undefined, 400, /unknown output "x"/],
    ['OIP content type', '/v2/models/species/infer', 'x', { 'content-type': 'text/csv' }, 415, /content type/],
    ['OIP header too long', '/v2/models/species/infer', '{}', { 'inference-header-content-length': '99' }, 400, /Inference-Header-Content-Length/],
    ['OIP binary size mismatch', '/v2/models/species/infer', ...binaryRequest(60, Buffer.alloc(60)), 400, /needs 64 bytes/],
    ['OIP binary NaN', '/v2/models/species/infer', ...binaryRequest(64, Buffer.from(new Float32Array(16).fill(NaN).buffer)), 400, /NaN/],
    ['OIP binary truncated', '/v2/models/species/infer', ...binaryRequest(64, Buffer.alloc(20)), 400, /ends after 20 of 64 bytes/],
  ];
  it.each(bad)('rejects %s with a 4xx and a message', async (_what, path, body, headers, status, message) => {
    const res = await post(path, body, headers);
    expect(res.status).toBe(status);
    const doc = (await res.json()) as { error: string };
    expect(doc.error).toMatch(message);
  });

  it('counts requests by route pattern and code, rejections and model info', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/tern_server_http_requests_total\{route="\/v1\/predict",method="POST",code="200"\} \d+/);
    expect(text).toMatch(/tern_server_http_requests_total\{route="\/v2\/models\/:name\/infer",method="POST",code="400"\} \d+/);
    expect(text).toMatch(/tern_server_rejections_total\{reason="invalid_input"\} [1-9]/);
    expect(text).toMatch(/tern_server_model_info\{model="species",version="1.1.0",provider="cpu",sha256="abc"\} 1/);
    expect(text).toMatch(/tern_server_availability_ratio 1/);
    expect(text).toMatch(/tern_server_drift_baseline_score 0.75/);
    expect(text).not.toMatch(/code="5\d\d"/);
  });

  it('counts every answered prediction under its class label, and rejections by reason, exactly once', async () => {
    const counts = async (): Promise<Map<string, number>> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const out = new Map<string, number>();
      for (const m of text.matchAll(/^tern_server_(predictions_total\{class="[^"]*"\}|rejections_total\{reason="not_a_target"\}) (\d+)$/gm)) {
        out.set(m[1] as string, Number(m[2]));
      }
      return out;
    };
    const before = await counts();
    const instances = Array.from({ length: 24 }, (_, r) => features.map((x, i) => x * Math.cos(r + i) * 3));
    const res = await post('/v1/predict', JSON.stringify({ instances }));
    const doc = (await res.json()) as { predictions: Array<{ label: string; rejected: boolean }> };
    const expected = new Map<string, number>();
    for (const p of doc.predictions) {
      const key = p.rejected ? 'rejections_total{reason="not_a_target"}' : `predictions_total{class="${p.label}"}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const after = await counts();
    const delta = new Map<string, number>();
    for (const [k, v] of after) if (v !== (before.get(k) ?? 0)) delta.set(k, v - (before.get(k) ?? 0));
    expect(delta).toEqual(expected);
    expect(await counts()).toEqual(after);
  });

  // The hot path (hot-routes.ts) takes the exact forms; express serves the others (trailing slash, other case,
  // escapes). Both must answer alike and count under the same route pattern.
  it.each([
    ['/v1/predict', '/v1/predict/', JSON.stringify({ features })],
    ['/v1/predict', '/V1/Predict', '{"instances": ['],
    ['/v2/models/species/infer', '/v2/models/%73pecies/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', data: features }] })],
    ['/v2/models/species/versions/1.1.0/infer', '/v2/models/species/versions/1.1.0/infer/', '{"inputs": []}'],
    ['/v2/models/other/infer', '/v2/models/other/infer/', '{}'],
  ])('answers %s (hot path) as express answers %s', async (hotPath, expressPath, body) => {
    const metric = async (): Promise<string> => (await (await fetch(`${base}/metrics`)).text());
    const [hot, viaExpress] = [await post(hotPath, body), await post(expressPath, body)];
    expect(hot.status).toBe(viaExpress.status);
    expect(hot.headers.get('content-type')).toBe(viaExpress.headers.get('content-type'));
    const [a, b] = [(await hot.json()) as Record<string, unknown>, (await viaExpress.json()) as Record<string, unknown>];
    delete a['latency_ms'];
    delete b['latency_ms'];
    expect(a).toEqual(b);
    expect(await metric()).toMatch(new RegExp(`tern_server_http_requests_total\\{route="[^"]*",method="POST",code="${hot.status}"\\}`));
  });

  it('answers /healthz on the hot path and through express alike, and counts both under /healthz', async () => {
    const count = async (): Promise<number> => {
      const m = /tern_server_http_requests_total\{route="\/healthz",method="GET",code="200"\} (\d+)/.exec(await (await fetch(`${base}/metrics`)).text());
      return Number(m?.[1] ?? 0);
    };
    const before = await count();
    const [hot, viaExpress] = [await fetch(`${base}/healthz?probe=1`), await fetch(`${base}/healthz/`)];
    expect(await hot.json()).toEqual({ status: 'ok' });
    expect(await viaExpress.json()).toEqual({ status: 'ok' });
    expect(hot.headers.get('content-type')).toBe(viaExpress.headers.get('content-type'));
    expect(await count()).toBe(before + 2);
  });

  it('says 404 with a hint for unknown routes', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no route for GET \/nope/);
  });
});

describe('the GPUs the pod was given (NVIDIA_VISIBLE_DEVICES)', () => {
  afterEach(() => stop());

  it('are in /readyz and tern_server_gpu_devices', async () => {
    await start([], parseVisibleDevices('GPU-8e3f2a10,GPU-9a1b2c3d'));
    const ready = (await (await fetch(`${base}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ ready: true, gpus: { visible_devices: 'GPU-8e3f2a10,GPU-9a1b2c3d', count: 2 } });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^tern_server_gpu_devices 2$/m);
  });

  it('are absent without a device plugin (and for "all", whose count is not known here the gauge is absent)', async () => {
    await start();
    expect((await (await fetch(`${base}/readyz`)).json()) as Record<string, unknown>).not.toHaveProperty('gpus');
    expect(await (await fetch(`${base}/metrics`)).text()).not.toMatch(/^tern_server_gpu_devices /m);
    await stop();
    await start([], parseVisibleDevices('all'));
    expect((await (await fetch(`${base}/readyz`)).json()) as Record<string, unknown>).toMatchObject({ gpus: { visible_devices: 'all', count: null } });
    expect(await (await fetch(`${base}/metrics`)).text()).not.toMatch(/^tern_server_gpu_devices /m);
  });
});

describe('fault switch', () => {
  it('fails exactly the given share, spread evenly', () => {
    const fail = faultSwitch(0.25);
    const outcomes = Array.from({ length: 8 }, () => fail());
    expect(outcomes.filter(Boolean)).toHaveLength(2);
    expect(faultSwitch(0)()).toBe(false);
  });

  it('applies the faults only to the model version --fault-version names', () => {
    const base = { fault5xxRatio: 1, faultDelayMs: 300, faultExitAfter: 0, modelVersion: '1.1.0' };
    expect(faultsOf({ ...base, faultVersion: '' }).delayMs).toBe(300);
    expect(faultsOf({ ...base, faultVersion: '1.1.0' }).shouldFail?.()).toBe(true);
    expect(faultsOf({ ...base, faultExitAfter: 3, faultVersion: '1.0.0' })).toEqual({ shouldFail: undefined, delayMs: 0, countForCrash: undefined });
    expect(faultsOf({ ...base, fault5xxRatio: 0, faultVersion: '' }).shouldFail).toBeUndefined();
  });

  it('crashes the process on the Nth inference request, once', () => {
    const exits: number[] = [];
    const { countForCrash } = faultsOf({ fault5xxRatio: 0, faultDelayMs: 0, faultExitAfter: 3, faultVersion: '1.1.0', modelVersion: '1.1.0' }, (code) => exits.push(code));
    countForCrash?.();
    countForCrash?.();
    expect(exits).toEqual([]);
    countForCrash?.();
    countForCrash?.();
    expect(exits).toEqual([1]);
  });
});

describe('injected faults on the inference routes (--fault-delay-ms, --fault-5xx-ratio)', () => {
  beforeAll(() => start(['--fault-delay-ms', '300', '--fault-5xx-ratio', '0.5', '--fault-version', '1.1.0']));
  afterAll(() => stop());

  it('delays every inference answer (hot path and express), counts the delay in the latency histogram, fails half', async () => {
    const body = JSON.stringify({ instances: [features] });
    const t0 = Date.now();
    const answers = await Promise.all([post('/v1/predict', body), post('/v1/predict', body), post('/v1/predict/', body), post('/v1/predict/', body)]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 503, 503]);
    const t1 = Date.now();
    expect((await fetch(`${base}/healthz`)).status).toBe(200); // probes are never delayed
    expect(Date.now() - t1).toBeLessThan(250);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // Nothing of /v1/predict answered within 0.25 s.
    expect(metrics).toMatch(/tern_server_http_request_duration_seconds_bucket\{le="0.25",route="\/v1\/predict",method="POST",code="200"\} 0/);
  });
});
