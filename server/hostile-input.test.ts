/** @jest-environment ./server/ort-jest-environment.mjs */
// Hostile client input against the HTTP layer with the real demo model (in-process runner, and the workers'
// body parsing run in-process): deep nesting, huge echoed strings, numbers out of range and valid inputs that
// make the model overflow all get a 4xx or a documented answer, never a 5xx, and availability stays 1.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import type { BatchRunner } from './batcher.js';
import { parseBodies } from './body-batch.js';
import { parseConfig } from './config.js';
import { InProcessRunner } from './in-process-runner.js';
import { ServerMetrics } from './metrics.js';
import { ModelService } from './model-service.js';
import { buildModelSpec } from './model-spec.js';
import { readOnnxMetadata } from './onnx-metadata.js';

const MODEL = new URL('../models/species/species-1.1.0.onnx', import.meta.url).pathname;
let server: Server;
let base: string;
let runner: InProcessRunner;

beforeAll(async () => {
  const config = parseConfig(['--model-url', `file://${MODEL}`, '--model-version', '1.1.0', '--max-body-bytes', String(16 << 20), '--max-rows-per-request', '100', '--max-reply-bytes', '20000'], {}, () => '', 2);
  const bytes = readFileSync(MODEL);
  runner = await InProcessRunner.create(bytes);
  const { inputs, outputs } = runner.specs();
  const service = new ModelService(config, new ServerMetrics(), () => {});
  // Bodies of 2 KiB and more go to the runner unparsed, as they go to the workers, which parse them with parseBodies.
  const parsing: BatchRunner = {
    run: (feeds) => runner.run(feeds),
    hasCapacity: () => runner.hasCapacity(),
    inFlight: () => runner.inFlight(),
    runBodies: async (bodies, shape) => {
      const { rows, data, results } = parseBodies(bodies, shape.features, shape.maxRows);
      return { outputs: data ? await runner.run({ [shape.input]: { dims: [rows, shape.features], data } }) : {}, results };
    },
  };
  service.attach(buildModelSpec(inputs, outputs, readOnnxMetadata(bytes)), parsing, 'cpu', 'abc');
  await service.warmUp();
  service.markReady();
  server = createServer(createApp(service, { serverVersion: 'test', isDraining: () => false })).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await runner.close();
});

const post = async (path: string, body: string): Promise<{ status: number; doc: Record<string, unknown> }> => {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: res.status, doc: (await res.json()) as Record<string, unknown> };
};
const row = Array.from({ length: 15 }, (_, i) => Math.sin(i)).join(',');
const deepArray = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const oip = (data: string, name = 'features'): string => `{"inputs":[{"name":${JSON.stringify(name)},"shape":[1,16],"datatype":"FP32","data":${data}}]}`;
const longText = 'x'.repeat(1_000_000);

describe('hostile input', () => {
  it.each([
    ['OIP data nested 10,000 deep', '/v2/models/species/infer', oip(deepArray(10_000)), /nested .*deep/],
    ['OIP data with a value nested 100,000 deep', '/v2/models/species/infer', oip(`[${deepArray(100_000)},${row}]`), /nested .*deep/],
    ['OIP value that is an object nested 100,000 deep', '/v2/models/species/infer', oip(`[${deepObject(100_000)},${row}]`), /value 0 is an object/],
    ['/v1 value nested 300 deep (a small body, parsed on the event loop)', '/v1/predict', `{"instances":[[${deepArray(300)},${row}]]}`, /value 0 is an array/],
    ['/v1 value nested 100,000 deep', '/v1/predict', `{"instances":[[${deepArray(100_000)},${row}]]}`, /value 0 is an array/],
    ['/v1 value that is an object nested 100,000 deep', '/v1/predict', `{"features":[${deepObject(100_000)},${row}]}`, /value 0 is an object/],
    ['/v1 number too large for a double', '/v1/predict', `{"features":[1e400,${row}]}`, /value 0 is out of range/],
    ['OIP number too large for a double', '/v2/models/species/infer', oip(`[1e400,${row}]`), /value 0 is out of range/],
  ])('answers %s with a 400 saying what is wrong', async (_what, path, body, message) => {
    const { status, doc } = await post(path, body);
    expect({ status, error: doc['error'] }).toEqual({ status: 400, error: expect.stringMatching(message) });
  });

  it.each([
    ['/v1 string value', '/v1/predict', `{"features":["${longText}",${row}]}`],
    ['OIP input name', '/v2/models/species/infer', oip(`[${row},1]`, longText)],
    ['OIP output name', '/v2/models/species/infer', `{"inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","data":[${row},1]}],"outputs":[{"name":"${longText}"}]}`],
    ['OIP datatype', '/v2/models/species/infer', `{"inputs":[{"name":"features","shape":[1,16],"datatype":"${longText}","data":[${row},1]}]}`],
  ])('does not echo a 1 MB %s back whole', async (_what, path, body) => {
    const { status, doc } = await post(path, body);
    expect(status).toBe(400);
    expect(String(doc['error']).length).toBeLessThan(400);
    expect(doc['error']).toMatch(/xxxx…/);
  });

  it('refuses a deep body that is batched with valid ones without failing them', async () => {
    const valid = JSON.stringify({ instances: Array.from({ length: 8 }, (_, r) => Array.from({ length: 16 }, (_, k) => Math.cos(r + k))) });
    const bad = `{"instances":[[${deepArray(100_000)},${row}]]}`;
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => post('/v1/predict', i % 10 === 3 ? bad : valid)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 60 }, (_, i) => (i % 10 === 3 ? 400 : 200)));
  });

  it('answers a row the model cannot score (float32 inputs that overflow it) with a documented value, not a 5xx', async () => {
    const huge = Array.from({ length: 16 }, () => '3.4e38').join(',');
    const one = `3.4e38,${row}`;
    const { status, doc } = await post('/v1/predict', `{"instances":[[${huge}],[${one}],[${row},0]]}`);
    expect(status).toBe(200);
    const predictions = doc['predictions'] as Array<Record<string, unknown>>;
    expect(predictions[0]).toEqual({ label: null, class_index: null, confidence: null, target_score: null, rejected: true, reason: 'non_finite_output' });
    expect(predictions[1]).toMatchObject({ rejected: true, reason: 'non_finite_output' });
    expect(typeof predictions[2]?.['target_score']).toBe('number');
    // OIP answers the raw outputs; non-finite values are JSON nulls and the bookkeeping survives them.
    const res = await post('/v2/models/species/infer', oip(`[${huge}]`));
    expect(res.status).toBe(200);
  });

  it('answers too many rows, or a reply over the limit, with a 413 naming the limit', async () => {
    const rows = (n: number): string => `[${Array.from({ length: n }, () => `[${row},1]`).join(',')}]`;
    const oipRows = (n: number): string => `{"inputs":[{"name":"features","shape":[${n},16],"datatype":"FP32","data":${rows(n)}}]}`;
    expect(await post('/v2/models/species/infer', oipRows(101))).toEqual({ status: 413, doc: { error: 'input features: 101 rows in one request; the limit is 100 (--max-rows-per-request)' } });
    expect(await post('/v1/predict', `{"instances":${rows(101)}}`)).toEqual({ status: 413, doc: { error: '101 feature vectors in one request; the limit is 100' } });
    const big = await post('/v2/models/species/infer', oipRows(50));
    expect(big.status).toBe(413);
    expect(big.doc['error']).toMatch(/^the reply would be \d+ bytes; the limit is 20000 \(--max-reply-bytes\)/);
    expect((await post('/v2/models/species/infer', oipRows(5))).status).toBe(200);
  });

  it('kept availability at 1 and counted no 5xx through all of that', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^tern_server_availability_ratio 1$/m);
    expect(text).not.toMatch(/code="5\d\d"/);
    expect(text).toMatch(/^tern_server_rejections_total\{reason="non_finite_output"\} 3$/m);
  });
});
