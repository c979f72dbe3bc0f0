// Messages between the main thread (worker-pool.ts) and the inference workers (inference-worker.ts).
import type { ExecutionProvider } from './config.js';
import type { TensorSpec } from './model-spec.js';
import type { Outputs } from './tensor.js';

/** Data every worker starts with. */
export interface WorkerInit {
  modelPath: string;
  provider: ExecutionProvider;
  intraOpThreads: number;
  /** Nice value for the worker thread and its onnxruntime threads (0 = unchanged). */
  nice: number;
}

/** One request's rows of a batch input: a range of a shared slot, or an array of its own (transferred). */
export type BatchPart = { slot: number; byteOffset: number; length: number } | { data: Float32Array };

/** Main -> worker: run one batch. `slots`: shared slots this worker has not seen before (each is sent once). */
export interface RunMessage {
  id: number;
  inputs: Array<{ name: string; dims: number[]; parts: BatchPart[] }>;
  slots: Array<{ id: number; buffer: SharedArrayBuffer }>;
}

/** Worker -> main. */
export type WorkerMessage =
  | { kind: 'loaded'; provider: ExecutionProvider; inputs: TensorSpec[]; outputs: TensorSpec[]; warning?: string }
  | { kind: 'load-failed'; message: string }
  | { kind: 'result'; id: number; outputs: Outputs }
  | { kind: 'run-failed'; id: number; message: string };
