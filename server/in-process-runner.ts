// A BatchRunner that runs onnxruntime on the calling thread. The server uses worker threads instead (so
// session.run never blocks health checks); this one serves tests and the benchmark's "raw" baseline.
import ort from 'onnxruntime-node';
import type { BatchRunner } from './batcher.js';
import type { TensorSpec } from './model-spec.js';
import type { Feeds, NumericArray, Outputs } from './tensor.js';

/** onnxruntime session on this thread, one batch at a time. */
export class InProcessRunner implements BatchRunner {
  #busy = 0;

  private constructor(readonly session: ort.InferenceSession) {}

  /** Loads a model file or bytes. */
  static async create(model: string | Uint8Array, intraOpThreads?: number): Promise<InProcessRunner> {
    const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
    if (intraOpThreads !== undefined) options.intraOpNumThreads = intraOpThreads;
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    return new InProcessRunner(session);
  }

  /** Inputs and outputs as the model spec wants them. */
  specs(): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
    const conv = (m: ort.InferenceSession.ValueMetadata): TensorSpec =>
      m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] };
    return { inputs: this.session.inputMetadata.map(conv), outputs: this.session.outputMetadata.map(conv) };
  }

  hasCapacity(): boolean {
    return this.#busy === 0;
  }

  inFlight(): number {
    return this.#busy;
  }

  async run(feeds: Feeds): Promise<Outputs> {
    this.#busy++;
    try {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
      const result = await this.session.run(ortFeeds);
      const out: Outputs = {};
      for (const [name, t] of Object.entries(result)) out[name] = { type: t.type, dims: [...t.dims], data: t.data as NumericArray };
      return out;
    } finally {
      this.#busy--;
    }
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
