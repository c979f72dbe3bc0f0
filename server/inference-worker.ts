// Inference worker thread: owns one onnxruntime session and runs batches posted by the main thread, so
// that session.run never blocks the event loop that answers health checks and metrics. It also parses
// /v1/predict bodies posted unparsed (parsing is most of that route's work), with the same code and
// the same error messages as the main thread.
import ort from 'onnxruntime-node';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ExecutionProvider } from './config.js';
import type { TensorSpec } from './model-spec.js';
import type { NumericArray, Outputs } from './tensor.js';
import { parseBodies } from './body-batch.js';
import { HttpError, INTERNAL_ERROR } from './http-error.js';
import { parseInferJson } from './oip-json.js';
import type { ParseInferMessage, RunBodiesMessage, RunMessage, WorkerInit, WorkerMessage } from './worker-protocol.js';

const init = workerData as WorkerInit;
if (!parentPort) throw new Error('inference-worker.js must run as a worker thread');
const port = parentPort;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

async function createSession(): Promise<{ session: ort.InferenceSession; provider: ExecutionProvider; warning?: string }> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: init.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // No CPU memory arena: onnxruntime's arena grows to the largest batch it ever ran and keeps it, so
    // one maximum-size request left the server holding several times its baseline memory for good; without
    // the arena it returns to its baseline, at the same CPU per request within the machine's noise
    // (make bench-large-request, make bench-server; figures in docs/benchmarks.md).
    enableCpuMemArena: false,
    // Spinning threads would steal the CPU from the HTTP thread between batches.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  if (init.provider !== 'cpu') {
    try {
      const session = await ort.InferenceSession.create(init.modelPath, { ...options, executionProviders: [init.provider] });
      return { session, provider: init.provider };
    } catch (err) {
      const warning = `execution provider ${init.provider} is not available (${(err as Error).message.split('\n')[0]}); falling back to cpu`;
      const session = await ort.InferenceSession.create(init.modelPath, { ...options, executionProviders: ['cpu'] });
      return { session, provider: 'cpu', warning };
    }
  }
  return { session: await ort.InferenceSession.create(init.modelPath, { ...options, executionProviders: ['cpu'] }), provider: 'cpu' };
}

function specs(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorSpec[] {
  return meta.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] }));
}

async function main(): Promise<void> {
  if (init.nice > 0) {
    // On Linux a nice value belongs to the thread: this lowers this worker and the onnxruntime threads it
    // starts below the HTTP thread, so health checks and metrics win the CPU when inference saturates it.
    try {
      setPriority(0, init.nice);
    } catch {
      // Not permitted here: run at normal priority.
    }
  }
  let session: ort.InferenceSession;
  try {
    const created = await createSession();
    session = created.session;
    post({
      kind: 'loaded', provider: created.provider, inputs: specs(session.inputMetadata), outputs: specs(session.outputMetadata),
      ...(created.warning ? { warning: created.warning } : {}),
    });
  } catch (err) {
    post({ kind: 'load-failed', message: (err as Error).message });
    return;
  }
  port.on('message', (msg: RunMessage | RunBodiesMessage | ParseInferMessage) => {
    try {
      if (msg.kind === 'parse-infer') parseInfer(msg);
      else if (msg.kind === 'run-bodies') runBodies(session, msg);
      else run(session, msg);
    } catch (err) {
      post({ kind: 'run-failed', id: msg.id, message: (err as Error).message });
    }
  });
}

/** Hands `reply` a run's outputs and their buffers (to transfer, not copy, back to the main thread). */
function postOutputs(result: ort.InferenceSession.OnnxValueMapType, reply: (outputs: Outputs, transfer: ArrayBuffer[]) => void): void {
  const outputs: Outputs = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, t] of Object.entries(result)) {
    const data = t.data as NumericArray;
    outputs[name] = { type: t.type, dims: [...t.dims], data };
    if (data.buffer instanceof ArrayBuffer && !transfer.includes(data.buffer)) transfer.push(data.buffer);
  }
  reply(outputs, transfer);
}

function run(session: ort.InferenceSession, msg: RunMessage): void {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
  session.run(feeds).then(
    (result) => postOutputs(result, (outputs, transfer) => {
      // session.run is done with the inputs: send their buffers back for the next batches.
      const inputs: ArrayBuffer[] = [];
      for (const t of Object.values(msg.feeds)) {
        const b = t.data.buffer;
        if (b instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === b.byteLength && !transfer.includes(b)) inputs.push(b);
      }
      post({ kind: 'result', id: msg.id, outputs, inputs }, [...transfer, ...inputs]);
    }),
    (err: Error) => post({ kind: 'run-failed', id: msg.id, message: err.message }),
  );
}

/** Parses each body (a refused one gets its own error: body-batch.ts) and runs the vectors of the others as one batch. */
function runBodies(session: ort.InferenceSession, msg: RunBodiesMessage): void {
  const { input, features, maxRows } = msg.shape;
  const { rows, data, results } = parseBodies(msg.bodies, features, maxRows);
  if (!data) {
    post({ kind: 'bodies-result', id: msg.id, outputs: {}, results });
    return;
  }
  session.run({ [input]: new ort.Tensor('float32', data, [rows, features]) }).then(
    (result) => postOutputs(result, (outputs, transfer) => post({ kind: 'bodies-result', id: msg.id, outputs, results }, transfer)),
    (err: Error) => post({ kind: 'run-failed', id: msg.id, message: err.message }),
  );
}

/** Parses an OIP JSON request body with the main thread's code; its 4xx (or a 500 for a fault of ours) goes back. */
function parseInfer(msg: ParseInferMessage): void {
  let request;
  try {
    request = parseInferJson(Buffer.from(msg.body), msg.spec, msg.maxRows);
  } catch (err) {
    const error = err instanceof HttpError
      ? { status: err.status, message: err.message, reason: err.reason }
      : { status: 500, message: `internal error while parsing the body: ${(err as Error).message}`, reason: INTERNAL_ERROR };
    post({ kind: 'parse-refused', id: msg.id, error });
    return;
  }
  const transfer: ArrayBuffer[] = [];
  for (const t of Object.values(request.feeds)) {
    const b = t.data.buffer;
    if (b instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === b.byteLength && !transfer.includes(b)) transfer.push(b);
  }
  post({ kind: 'parsed-infer', id: msg.id, request }, transfer);
}

void main();
