// Messages between the main thread (worker-pool.ts) and the inference workers (inference-worker.ts).
import type { ExecutionProvider } from './config.js';
import type { BodyError, BodyResult, BodyShape, PackedBodies } from './batcher.js';
import type { ModelSpec, TensorSpec } from './model-spec.js';
import type { InferRequest } from './oip.js';
import type { Feeds, Outputs } from './tensor.js';

/** Data every worker starts with. */
export interface WorkerInit {
  modelPath: string;
  provider: ExecutionProvider;
  intraOpThreads: number;
  /** Nice value for the worker thread and its onnxruntime threads (0 = unchanged). */
  nice: number;
}

/** Main -> worker: run one batch. */
export interface RunMessage {
  kind: 'run';
  id: number;
  feeds: Feeds;
}

/** Main -> worker: parse these /v1/predict bodies (transferred) and run the vectors of those that parse. */
export interface RunBodiesMessage {
  kind: 'run-bodies';
  id: number;
  bodies: PackedBodies;
  shape: BodyShape;
}

/** Main -> worker: parse this OIP JSON infer request body (its bytes, transferred) for `spec`. */
export interface ParseInferMessage {
  kind: 'parse-infer';
  id: number;
  body: ArrayBuffer;
  spec: ModelSpec;
  maxRows: number;
}

/** Worker -> main. */
export type WorkerMessage =
  | { kind: 'loaded'; provider: ExecutionProvider; inputs: TensorSpec[]; outputs: TensorSpec[]; warning?: string }
  | { kind: 'load-failed'; message: string }
  /** `inputs`: the batch's input buffers, handed back (transferred) for the pool to reuse. */
  | { kind: 'result'; id: number; outputs: Outputs; inputs: ArrayBuffer[] }
  /** Per body of a RunBodiesMessage: its rows in `outputs` (in order) or why it was refused. */
  | { kind: 'bodies-result'; id: number; outputs: Outputs; results: BodyResult[] }
  | { kind: 'run-failed'; id: number; message: string }
  /** The parsed request of a ParseInferMessage (its feeds' buffers transferred), or why it was refused. */
  | { kind: 'parsed-infer'; id: number; request: InferRequest }
  | { kind: 'parse-refused'; id: number; error: BodyError };
