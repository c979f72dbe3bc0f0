// The real tern-server process (bin/tern-server.js from dist/; `make build` first) on 127.0.0.1, fetching a
// real demo model from a loopback model host: readiness, sha256 mismatch and 404 (not ready, with the reason),
// predictions, OIP JSON and binary, the metric names of docs/conventions.md, drift on live traffic, the fault
// switch, SIGTERM draining in-flight requests (a large reply to a slow client included), non-ONNX files, a model
// host that is silent, down for a while or given a signed URL, and hostile bodies among valid ones in the workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelHost, type ModelHost } from '../../models/model-host.js';
import { runTraffic } from '../../models/traffic.js';
import { HttpError } from '../../server/http-error.js';
import { SERVER_NODE_FLAGS } from '../../server/node-options.js';
import { parsePredictBody } from '../../server/predict-body.js';
import { repoRoot } from '../cluster/paths.js';
import { jest } from '@jest/globals';

jest.setTimeout(30_000);

const ROOT = repoRoot();
const registry = JSON.parse(readFileSync(join(ROOT, 'models/registry.json'), 'utf8')) as {
  models: Array<{ version: string; sha256: string; weights_url: string; metrics_snapshot: { score_mean: number } }>;
};
const entry = (version: string) => {
  const e = registry.models.find((m) => m.version === version);
  if (!e) throw new Error(`registry has no ${version}`);
  return e;
};

interface Running {
  proc: ChildProcess;
  base: string;
  logs: string[];
  exited: Promise<number | null>;
}

let host: ModelHost;
let cacheDir: string;
const running: Running[] = [];

/** Starts tern-server on a free port; resolves once it listens (not necessarily ready). */
async function startServer(args: string[], nodeFlags: readonly string[] = [], env: Record<string, string> = {}): Promise<Running> {
  const proc = spawn(process.execPath, [...nodeFlags, join(ROOT, 'bin/tern-server.js'), '--host', '127.0.0.1', '--port', '0', '--cache-dir', cacheDir, '--workers', '1', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env },
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const m = /"port":(\d+)/.exec(line);
        if (m && line.includes('listening')) resolve(Number(m[1]));
      }
    });
    void exited.then((code) => reject(new Error(`tern-server exited with ${code}: ${logs.join('\n')}`)));
  });
  const r = { proc, base: `http://127.0.0.1:${port}`, logs, exited };
  running.push(r);
  return r;
}

async function readyz(s: Running, want: number, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${s.base}/readyz`);
    const doc = (await res.json()) as Record<string, unknown>;
    if (res.status === want && (want === 200 || doc['phase'] === 'failed')) return doc;
    if (Date.now() > deadline) throw new Error(`readyz stayed ${res.status} ${JSON.stringify(doc)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const modelUrl = (version: string): string => entry(version).weights_url.replace('https://models.tern.dev/', host.url);
const features = Array.from({ length: 16 }, (_, i) => Math.cos(i) * 3);

/** tern-server serving the verified 1.1.0 model with two workers and its V8 flags (as bin/tern-server.js runs), once ready. */
async function startReadyTwoWorkers(args: string[]): Promise<Running> {
  const s = await startServer(['--model-url', modelUrl('1.1.0'), '--sha256', entry('1.1.0').sha256, '--model-version', '1.1.0',
    '--model-name', 'species', '--workers', '2', ...args], SERVER_NODE_FLAGS);
  await readyz(s, 200);
  return s;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/server/main.js'))) throw new Error('dist/server/main.js is missing: run `make build` first');
  host = await startModelHost(join(ROOT, 'models/species'));
  cacheDir = mkdtempSync(join(tmpdir(), 'tern-server-test-'));
});

afterAll(async () => {
  for (const r of running) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
  await host.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('tern-server process', () => {
  let good: Running;

  beforeAll(async () => {
    good = await startServer(['--model-url', modelUrl('1.1.0'), '--sha256', entry('1.1.0').sha256, '--model-version', '1.1.0',
      '--baseline-score', String(entry('1.1.0').metrics_snapshot.score_mean), '--model-name', 'species']);
  });

  it('is live at once and ready after the verified model has loaded', async () => {
    expect((await fetch(`${good.base}/healthz`)).status).toBe(200);
    // Started as `node bin/tern-server.js` without the flags of its first line: it says which are missing.
    expect(good.logs.find((l) => l.includes('V8 flags'))).toContain('"missing":["--max-semi-space-size=2","--min-semi-space-size=2","--no-memory-reducer"]');
    const doc = await readyz(good, 200);
    expect(doc).toMatchObject({ ready: true, model: { name: 'species', version: '1.1.0', provider: 'cpu' } });
    expect(host.hits.get('/species/1.1.0/species-1.1.0.onnx')).toBe(1);
  });

  it('reports the GPUs a device plugin gave it (NVIDIA_VISIBLE_DEVICES): start log, /readyz, tern_server_gpu_devices', async () => {
    const gpu = await startServer(['--model-url', modelUrl('1.1.0'), '--model-version', '1.1.0'], [], { NVIDIA_VISIBLE_DEVICES: 'GPU-8e3f2a10,GPU-9a1b2c3d' });
    try {
      expect(gpu.logs.find((l) => l.includes('GPU devices given to this pod'))).toContain('"visible_devices":"GPU-8e3f2a10,GPU-9a1b2c3d","count":2');
      expect(await (await fetch(`${gpu.base}/readyz`)).json()).toMatchObject({ gpus: { visible_devices: 'GPU-8e3f2a10,GPU-9a1b2c3d', count: 2 } });
      expect(await (await fetch(`${gpu.base}/metrics`)).text()).toMatch(/^tern_server_gpu_devices 2$/m);
      // without the variable (the server above): nothing reported
      expect(await (await fetch(`${good.base}/readyz`)).json()).not.toHaveProperty('gpus');
    } finally {
      gpu.proc.kill('SIGKILL');
      await gpu.exited;
    }
  });

  it('predicts over /v1 and OIP JSON and binary, with the same numbers', async () => {
    const v1 = (await (await fetch(`${good.base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features }) })).json()) as {
      predictions: Array<{ target_score: number; label: string }>;
    };
    expect(v1.predictions).toHaveLength(1);
    const json = (await (await fetch(`${good.base}/v2/models/species/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', data: features }], outputs: [{ name: 'target_score' }] }),
    })).json()) as { outputs: Array<{ data: number[] }> };
    expect(json.outputs[0]?.data[0]).toBeCloseTo(v1.predictions[0]?.target_score ?? -1, 6);
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', parameters: { binary_data_size: 64 } }],
      parameters: { binary_data_output: true },
    }));
    const res = await fetch(`${good.base}/v2/models/species/infer`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(new Float32Array(features).buffer)]),
    });
    expect(res.status).toBe(200);
    const raw = Buffer.from(await res.arrayBuffer());
    const n = Number(res.headers.get('inference-header-content-length'));
    const head = JSON.parse(raw.subarray(0, n).toString()) as { outputs: Array<{ name: string; parameters: { binary_data_size: number } }> };
    expect(head.outputs.map((o) => o.name)).toEqual(['probabilities', 'target_score']);
    expect(raw.readFloatLE(n + (head.outputs[0]?.parameters.binary_data_size ?? 0))).toBeCloseTo(v1.predictions[0]?.target_score ?? -1, 6);
  });

  it('answers OIP JSON bodies parsed in the workers (2 KiB and more) like binary ones, and refuses bad ones as the event loop does', async () => {
    const infer = async (body: Buffer | string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; text: string }> => {
      const res = await fetch(`${good.base}/v2/models/species/infer`, { method: 'POST', headers, body });
      return { status: res.status, text: await res.text() };
    };
    const rows = Array.from({ length: 40 }, (_, r) => features.map((x, i) => x * (1 + ((r * 16 + i) % 7) / 10)));
    const flat = rows.flat();
    // Nested once per dimension, with a body well over 2 KiB.
    const big = JSON.stringify({ id: 'big', inputs: [{ name: 'features', shape: [40, 16], datatype: 'FP32', data: rows }] });
    expect(big.length).toBeGreaterThan(4096);
    const json = await infer(big);
    expect(json.status).toBe(200);
    const header = Buffer.from(JSON.stringify({ id: 'big', inputs: [{ name: 'features', shape: [40, 16], datatype: 'FP32', parameters: { binary_data_size: 40 * 64 } }] }));
    const binary = await infer(Buffer.concat([header, Buffer.from(Float32Array.from(flat).buffer)]), {
      'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length),
    });
    expect(json.text).toBe(binary.text);
    // The same mistakes in a small body (parsed on the event loop) and a large one (in a worker): the same 400.
    const refusal = (data: unknown, shape: number[]): string => JSON.stringify({ inputs: [{ name: 'features', shape, datatype: 'FP32', data }] });
    const pad = ' '.repeat(3000);
    for (const [data, shape] of [[[[flat.slice(0, 16)]], [1, 16]], [[...flat.slice(0, 15), 'x'], [1, 16]], [[...flat.slice(0, 15), 1e39], [1, 16]], [flat.slice(0, 15), [1, 16]]] as Array<[unknown, number[]]>) {
      const small = await infer(refusal(data, shape));
      const large = await infer(refusal(data, shape) + pad);
      expect(small.status).toBe(400);
      expect(large).toEqual(small);
    }
    // Hostile nesting in a worker: its own 400, and the server answers on.
    const deep = (value: string): string => JSON.stringify({ inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', data: 0 }] }).replace('"data":0', `"data":${value}`);
    const deepData = await infer(deep(`[${'['.repeat(100_000)}1${']'.repeat(100_000)}]`));
    expect(deepData.status).toBe(400);
    expect(deepData.text).toMatch(/nested deeper than its shape/);
    const deepObject = await infer(deep(`[${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]`));
    expect(deepObject.status).toBe(400);
    expect(deepObject.text).toMatch(/value 0 is an object/);
    expect((await infer(big)).text).toBe(json.text);
  });

  it('exposes every metric of docs/conventions.md', async () => {
    const text = await (await fetch(`${good.base}/metrics`)).text();
    for (const name of [
      'tern_server_http_requests_total', 'tern_server_http_request_duration_seconds_bucket', 'tern_server_predictions_total',
      'tern_server_rejections_total', 'tern_server_prediction_confidence_bucket', 'tern_server_target_score_bucket',
      'tern_server_target_score_mean', 'tern_server_drift_baseline_score', 'tern_server_drift_window_size',
      'tern_server_drift_alarm_active', 'tern_server_drift_alarms_total', 'tern_server_availability_ratio',
      'tern_server_batch_size_bucket', 'tern_server_inference_errors_total', 'tern_server_internal_errors_total', 'tern_server_model_ready', 'tern_server_model_info',
    ]) {
      expect(text).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
    expect(text).toContain(`tern_server_model_info{model="species",version="1.1.0",provider="cpu",sha256="${entry('1.1.0').sha256}"} 1`);
    expect(text).toMatch(/^tern_server_model_ready 1$/m);
  });

  it('drains in-flight requests on SIGTERM and exits 0', async () => {
    const body = JSON.stringify({ instances: Array.from({ length: 64 }, () => features) });
    // SIGTERM as soon as the first answer arrives: requests have then reached the server and the rest are
    // in flight (a fixed delay after sending could, on a busy machine, fire before any had arrived).
    let signalled = false;
    const sigterm = () => {
      if (!signalled) good.proc.kill('SIGTERM');
      signalled = true;
    };
    const inflight = Array.from({ length: 40 }, () =>
      fetch(`${good.base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => {
        sigterm();
        return r.status;
      }, () => 0));
    const statuses = await Promise.all(inflight);
    sigterm(); // when none was answered (the assertion below then fails), still stop the server
    expect(await good.exited).toBe(0);
    // Every request that reached the server before SIGTERM was answered; none failed with a 5xx.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 0)).toBe(true);
    expect(good.logs.some((l) => l.includes('draining'))).toBe(true);
    await expect(fetch(`${good.base}/healthz`)).rejects.toThrow();
  });
});

describe('tern-server that cannot load its model', () => {
  it('stays not ready and says why on a sha256 mismatch', async () => {
    const s = await startServer(['--model-url', modelUrl('1.0.0'), '--sha256', entry('1.1.0').sha256, '--model-version', '1.0.0']);
    const doc = await readyz(s, 503);
    expect(String(doc['reason'])).toMatch(/^Sha256Mismatch: sha256 mismatch .* expected 36d5b4/);
    expect(s.logs.some((l) => l.includes('Sha256Mismatch'))).toBe(true);
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
    const predict = await fetch(`${s.base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features }) });
    expect(predict.status).toBe(503);
    expect(((await predict.json()) as { error: string }).error).toMatch(/not ready: Sha256Mismatch/);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('stays not ready on a 404', async () => {
    const s = await startServer(['--model-url', `${host.url}species/9.9.9/species-9.9.9.onnx`, '--model-version', '9.9.9']);
    expect(String((await readyz(s, 503))['reason'])).toMatch(/^NotFound: model not found: GET .* returned 404/);
    s.proc.kill('SIGTERM');
    await s.exited;
  });

  it('stays not ready when onnxruntime cannot load the file', async () => {
    // ir_version 7 and an empty graph: an ONNX ModelProto on the outside, which onnxruntime refuses.
    const garbage = join(cacheDir, 'garbage.onnx');
    writeFileSync(garbage, Buffer.from([0x08, 0x07, 0x3a, 0x00]));
    const s = await startServer(['--model-url', `file://${garbage}`, '--model-version', '0.0.1']);
    expect(String((await readyz(s, 503))['reason'])).toMatch(/^LoadFailed: onnxruntime could not load file:\/\/.*garbage.onnx/);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it.each([
    ['a Lightning .ckpt', 'model.ckpt', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200)]), /zip archive \(a PyTorch \.pt\/\.ckpt checkpoint/],
    ['text', 'model.onnx', Buffer.from('this is not an ONNX model'), /text starting with "this is not/],
  ])('says clearly that it cannot load %s', async (_what, name, bytes, what) => {
    const file = join(cacheDir, name);
    writeFileSync(file, bytes);
    const s = await startServer(['--model-url', `file://${file}`, '--model-version', '0.0.1']);
    const reason = String((await readyz(s, 503))['reason']);
    expect(reason).toMatch(/^NotOnnx: file:\/\/.* is /);
    expect(reason).toMatch(what);
    expect(reason).toContain('tern-server can load ONNX models only');
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

describe('tern-server under live traffic', () => {
  it('raises the drift alarm for 1.2.0 and honours the fault switch', async () => {
    const v = entry('1.2.0');
    const s = await startServer(['--model-url', modelUrl('1.2.0'), '--sha256', v.sha256, '--model-version', '1.2.0',
      '--baseline-score', String(v.metrics_snapshot.score_mean), '--fault-5xx-ratio', '0.2']);
    await readyz(s, 200);
    const summary = await runTraffic({ urls: [s.base], rate: 0, concurrency: 4, count: 100, durationSeconds: 20, batch: 4, drift: 0, targetRatio: 0.8, seed: 11 });
    expect(summary.by_status).toEqual({ 200: 80, 503: 20 });
    const drift = (await (await fetch(`${s.base}/v1/drift-stats`)).json()) as Record<string, number | boolean>;
    expect(drift).toMatchObject({ window_size: 320, baseline: v.metrics_snapshot.score_mean, alarm_drop: 0.1, active: true, alarms_total: 1 });
    expect(v.metrics_snapshot.score_mean - (drift['mean'] as number)).toBeGreaterThanOrEqual(0.1);
    const text = await (await fetch(`${s.base}/metrics`)).text();
    expect(text).toMatch(/^tern_server_drift_alarm_active 1$/m);
    expect(text).toMatch(/^tern_server_availability_ratio 0.8$/m);
    expect(s.logs.some((l) => l.includes('drift alarm'))).toBe(true);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

describe('tern-server with two workers under concurrent binary requests', () => {
  it('answers each request with its own numbers while tensor buffers are reused, and refuses bad ones without harm', async () => {
    // With tern-server's V8 flags (as bin/tern-server.js itself runs): no warning about them.
    const s = await startReadyTwoWorkers(['--max-batch-size', '8', '--max-batch-delay-ms', '2']);
    expect(s.logs.some((l) => l.includes('V8 flags'))).toBe(false);
    const url = `${s.base}/v2/models/species/infer`;
    // Requests of 1 to 3 rows (reused buffers of three sizes), every row different.
    const requests = Array.from({ length: 48 }, (_, i) => Array.from({ length: 1 + (i % 3) }, (_, r) => Array.from({ length: 16 }, (_, k) => Math.sin(i * 31 + r * 7 + k))));
    const scoresOf = async (rows: number[][], binary: boolean): Promise<{ status: number; scores: number[] }> => {
      const shape = [rows.length, 16];
      const flat = rows.flat();
      if (!binary) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [{ name: 'features', shape, datatype: 'FP32', data: flat }], outputs: [{ name: 'target_score' }] }) });
        const doc = (await res.json()) as { outputs?: Array<{ data: number[] }> };
        return { status: res.status, scores: doc.outputs?.[0]?.data ?? [] };
      }
      const header = Buffer.from(JSON.stringify({
        inputs: [{ name: 'features', shape, datatype: 'FP32', parameters: { binary_data_size: flat.length * 4 } }],
        outputs: [{ name: 'target_score', parameters: { binary_data: true } }],
      }));
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
        body: Buffer.concat([header, Buffer.from(new Float32Array(flat).buffer)]) });
      const raw = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200) return { status: res.status, scores: [] };
      const n = Number(res.headers.get('inference-header-content-length'));
      return { status: res.status, scores: Array.from({ length: rows.length }, (_, r) => raw.readFloatLE(n + r * 4)) };
    };
    const expected: number[][] = [];
    for (const rows of requests) expected.push((await scoresOf(rows, false)).scores);
    const nan = requests[0]?.map((row) => row.map((x, k) => (k === 5 ? Number.NaN : x))) ?? [];
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([...requests.map((rows) => scoresOf(rows, true)), scoresOf(nan, true)]);
      answers.slice(0, requests.length).forEach((a, i) => {
        expect(a.status).toBe(200);
        expect(a.scores).toEqual(expected[i]);
      });
      expect(answers[requests.length]?.status).toBe(400);
    }
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

describe('tern-server parsing /v1 bodies in its workers', () => {
  it('answers concurrent good and bad large bodies as parsing on the main thread does', async () => {
    const s = await startReadyTwoWorkers(['--max-batch-size', '64', '--rejection-threshold', '0.5']);
    const post = async (body: string): Promise<{ status: number; doc: { error?: string; predictions?: Array<Record<string, unknown>> } }> => {
      const res = await fetch(`${s.base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, doc: (await res.json()) as { error?: string; predictions?: Array<Record<string, unknown>> } };
    };
    // 8 to 27 full-precision vectors per request: every body is over the 2 KiB from which workers parse.
    const requests = Array.from({ length: 24 }, (_, i) => Array.from({ length: 8 + (i % 20) }, (_, r) => Array.from({ length: 16 }, (_, k) => 3 * Math.sin(i * 17 + r * 5 + k))));
    const row = (v: number[]): string => `[${v.join(',')}]`;
    const pad = requests[0]?.slice(0, 8).map(row).join(',') ?? '';
    const bad = [
      `{"instances": [${pad}, [1, 2, 3]]}`,
      `{"instances": [${pad}, [${'1,'.repeat(15)}"x"]]}`,
      `{"instances": [${pad}, [${'1,'.repeat(15)}1e39]]}`,
      `{"instances": [${pad}`,
      `{"features": {"a": [${pad}]}}`,
    ];
    const expectedError = (body: string): { status: number; error: string } => {
      try {
        parsePredictBody(Buffer.from(body), 16, 4096);
      } catch (err) {
        if (err instanceof HttpError) return { status: err.status, error: err.message };
      }
      throw new Error(`expected ${body.slice(-40)} to be refused`);
    };
    // Each vector alone (a small body, parsed on the main thread) gives the expected answer of its row.
    const alone = await Promise.all(requests.map(async (rows) => Promise.all(rows.map(async (v) => (await post(JSON.stringify({ features: v }))).doc.predictions?.[0]))));
    for (let round = 0; round < 3; round++) {
      const bodies = [...requests.map((rows) => JSON.stringify({ instances: rows })), ...bad];
      const answers = await Promise.all(bodies.map(post));
      answers.slice(0, requests.length).forEach((a, i) => {
        expect(a.status).toBe(200);
        expect(a.doc.predictions).toEqual(alone[i]);
      });
      answers.slice(requests.length).forEach((a, i) => {
        expect(Buffer.byteLength(bad[i] as string)).toBeGreaterThan(2048);
        expect({ status: a.status, error: a.doc.error }).toEqual(expectedError(bad[i] as string));
      });
    }
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`tern_server_rejections_total\\{reason="invalid_input"\\} ${3 * bad.length}\\n`));
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

/** A loopback model host that misbehaves: silent (never answers), or failing the first `failures` requests. */
async function startBadHost(failures: number): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  const model = readFileSync(join(ROOT, 'models/species/species-1.1.0.onnx'));
  let hits = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    hits++;
    if (req.url?.startsWith('/silent')) held.push(res);
    else if (hits <= failures) res.writeHead(503).end('down for maintenance');
    else res.writeHead(200, { 'content-length': model.length }).end(model);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((r) => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('tern-server fetching its model from a bad host', () => {
  it('honours SIGTERM while the model host never answers', async () => {
    const bad = await startBadHost(0);
    const s = await startServer(['--model-url', `${bad.url}/silent/species-1.1.0.onnx`, '--fetch-timeout-ms', '60000', '--shutdown-timeout-ms', '5000']);
    expect(String((await (await fetch(`${s.base}/readyz`)).json() as Record<string, unknown>)['reason'])).toMatch(/^fetching /);
    const started = Date.now();
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    await bad.close();
  });

  it('keeps retrying through an outage, says so on /readyz while live, then becomes ready', async () => {
    const bad = await startBadHost(6);
    const s = await startServer(['--model-url', `${bad.url}/species-1.1.0.onnx`, '--sha256', entry('1.1.0').sha256, '--fetch-retry-max-ms', '400']);
    let retrying: string | undefined;
    for (let i = 0; i < 100 && retrying === undefined; i++) {
      const doc = (await (await fetch(`${s.base}/readyz`)).json()) as Record<string, unknown>;
      if (/^retrying: GET .* returned 503/.test(String(doc['reason'])) && /next try in \d+ s|trying again now/.test(String(doc['reason']))) retrying = String(doc['reason']);
      expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(retrying).toBeDefined();
    await readyz(s, 200, 20_000);
    expect(bad.hits()).toBe(7);
    expect(s.logs.filter((l) => l.includes('model download failed; retrying'))).toHaveLength(6);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await bad.close();
  });

  it('never shows or logs the credentials of a signed model URL', async () => {
    const secret = 'f00dfeedc0ffee';
    const url = `${host.url.replace('http://', 'http://user:hunter22@')}species/9.9.9/species-9.9.9.onnx?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=${secret}`;
    const s = await startServer(['--model-url', url, '--model-version', '9.9.9']);
    const doc = await readyz(s, 503);
    expect(String(doc['reason'])).toMatch(/^NotFound: .*X-Amz-Signature=\*\*\*/);
    const predict = await fetch(`${s.base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features }) });
    const body = await predict.text();
    expect(predict.status).toBe(503);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    for (const text of [JSON.stringify(doc), body, s.logs.join('\n')]) expect(text).not.toMatch(/f00dfeedc0ffee|AKIAEXAMPLE|hunter22/);
  });
});

describe('tern-server draining on SIGTERM', () => {
  it('completes a 15 MB reply in flight to a slow client, then exits 0', async () => {
    const s = await startReadyTwoWorkers(['--max-rows-per-request', '100000']);
    const rows = 100_000;
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'features', shape: [rows, 16], datatype: 'FP32', parameters: { binary_data_size: rows * 64 } }],
      parameters: { binary_data_output: true },
    }));
    const input = new Float32Array(rows * 16).map((_, i) => Math.sin(i));
    const body = Buffer.concat([header, Buffer.from(input.buffer)]);
    const port = Number(new URL(s.base).port);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v2/models/species/infer', headers: {
        'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length), 'content-length': body.length,
      } }, resolve);
      req.on('error', reject);
      req.end(body);
    });
    expect(res.statusCode).toBe(200);
    const expected = Number(res.headers['content-length']);
    expect(expected).toBeGreaterThan(rows * 37 * 4);
    s.proc.kill('SIGTERM');
    // Read slowly: the reply is still being written long after SIGTERM.
    const received = await new Promise<number>((resolve) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        res.pause();
        setTimeout(() => res.resume(), 1);
      });
      res.on('end', () => resolve(bytes));
      res.on('error', () => resolve(-bytes));
      res.on('aborted', () => resolve(-bytes));
    });
    expect(received).toBe(expected);
    expect(await s.exited).toBe(0);
  });
});

describe('tern-server workers refusing hostile bodies', () => {
  it('answers 300 concurrent valid bodies 200 while deep ones among them get their own 400', async () => {
    const s = await startReadyTwoWorkers([]);
    const valid = JSON.stringify({ instances: Array.from({ length: 8 }, (_, r) => Array.from({ length: 16 }, (_, k) => Math.cos(r * 3 + k))) });
    const deep = `{"instances":[[${'['.repeat(100_000)}1${']'.repeat(100_000)},${Array(15).fill(1).join(',')}]]}`;
    const bodies = Array.from({ length: 330 }, (_, i) => (i % 11 === 5 ? deep : valid));
    const statuses = await Promise.all(bodies.map(async (b) => (await fetch(`${s.base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b })).status));
    expect(statuses.filter((st, i) => bodies[i] === valid && st !== 200)).toEqual([]);
    expect(statuses.filter((st, i) => bodies[i] === deep && st !== 400)).toEqual([]);
    const text = await (await fetch(`${s.base}/metrics`)).text();
    expect(text.split('\n').filter((l) => /route="\/v[12]\/[^"]*",method="POST",code="5\d\d"/.test(l))).toEqual([]);
    expect(text).toMatch(/^tern_server_availability_ratio 1$/m);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
