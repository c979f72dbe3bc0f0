// A tiny two-headed MLP trained with plain TypeScript math (no ML framework): one ReLU hidden layer,
// a softmax head over the species and a sigmoid "is this a target" head. Weights are rounded to
// float32 after training so that evaluation here matches what onnxruntime computes from the file.
import type { Example } from './dataset.js';
import { Prng } from './prng.js';

/** Trained weights, row-major, shapes as in the ONNX Gemm nodes (W: [in, out]). */
export interface MlpWeights {
  inputs: number;
  hidden: number;
  classes: number;
  w1: Float32Array; // [inputs, hidden]
  b1: Float32Array; // [hidden]
  w2: Float32Array; // [hidden, classes]
  b2: Float32Array; // [classes]
  w3: Float32Array; // [hidden, 1]
  b3: Float32Array; // [1]
}

/** Training hyper-parameters. */
export interface TrainOptions {
  hidden: number;
  classes: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

/** What the model says about one input. */
export interface MlpOutput {
  probabilities: number[];
  targetScore: number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Forward pass for one input. */
export function predict(w: MlpWeights, x: readonly number[]): MlpOutput {
  const h = new Array<number>(w.hidden);
  for (let j = 0; j < w.hidden; j++) {
    let s = w.b1[j] as number;
    for (let i = 0; i < w.inputs; i++) s += (x[i] as number) * (w.w1[i * w.hidden + j] as number);
    h[j] = s > 0 ? s : 0;
  }
  const logits = new Array<number>(w.classes);
  for (let k = 0; k < w.classes; k++) {
    let s = w.b2[k] as number;
    for (let j = 0; j < w.hidden; j++) s += (h[j] as number) * (w.w2[j * w.classes + k] as number);
    logits[k] = s;
  }
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  let t = w.b3[0] as number;
  for (let j = 0; j < w.hidden; j++) t += (h[j] as number) * (w.w3[j] as number);
  return { probabilities: exps.map((e) => e / sum), targetScore: sigmoid(t) };
}

/** Adam optimiser state for one parameter array. */
class AdamParam {
  readonly m: Float64Array;
  readonly v: Float64Array;
  readonly grad: Float64Array;
  constructor(readonly value: Float64Array) {
    this.m = new Float64Array(value.length);
    this.v = new Float64Array(value.length);
    this.grad = new Float64Array(value.length);
  }
  step(lr: number, t: number, scale: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    for (let i = 0; i < this.value.length; i++) {
      const g = (this.grad[i] as number) * scale;
      this.m[i] = b1 * (this.m[i] as number) + (1 - b1) * g;
      this.v[i] = b2 * (this.v[i] as number) + (1 - b2) * g * g;
      const mHat = (this.m[i] as number) / (1 - b1 ** t);
      const vHat = (this.v[i] as number) / (1 - b2 ** t);
      this.value[i] = (this.value[i] as number) - (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
      this.grad[i] = 0;
    }
  }
}

function init(rng: Prng, rows: number, cols: number): Float64Array {
  const scale = Math.sqrt(2 / rows);
  return Float64Array.from({ length: rows * cols }, () => rng.normal() * scale);
}

/**
 * Trains the MLP with minibatch Adam on cross-entropy (species, targets only) plus binary
 * cross-entropy (target vs not). Deterministic for a given seed and data.
 */
export function train(data: readonly Example[], inputs: number, o: TrainOptions): MlpWeights {
  const rng = new Prng(o.seed);
  const H = o.hidden;
  const C = o.classes;
  const p = {
    w1: new AdamParam(init(rng, inputs, H)),
    b1: new AdamParam(new Float64Array(H)),
    w2: new AdamParam(init(rng, H, C)),
    b2: new AdamParam(new Float64Array(C)),
    w3: new AdamParam(init(rng, H, 1)),
    b3: new AdamParam(new Float64Array(1)),
  };
  const order = data.map((_, i) => i);
  const h = new Float64Array(H);
  const dh = new Float64Array(H);
  const logits = new Float64Array(C);
  let t = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start < order.length; start += o.batchSize) {
      const batch = order.slice(start, start + o.batchSize);
      for (const index of batch) {
        const ex = data[index] as Example;
        const x = ex.features;
        for (let j = 0; j < H; j++) {
          let s = p.b1.value[j] as number;
          for (let i = 0; i < inputs; i++) s += (x[i] as number) * (p.w1.value[i * H + j] as number);
          h[j] = s > 0 ? s : 0;
        }
        dh.fill(0);
        if (ex.species >= 0) {
          let max = -Infinity;
          for (let k = 0; k < C; k++) {
            let s = p.b2.value[k] as number;
            for (let j = 0; j < H; j++) s += (h[j] as number) * (p.w2.value[j * C + k] as number);
            logits[k] = s;
            if (s > max) max = s;
          }
          let sum = 0;
          for (let k = 0; k < C; k++) {
            logits[k] = Math.exp((logits[k] as number) - max);
            sum += logits[k] as number;
          }
          for (let k = 0; k < C; k++) {
            const g = (logits[k] as number) / sum - (k === ex.species ? 1 : 0);
            p.b2.grad[k] = (p.b2.grad[k] as number) + g;
            for (let j = 0; j < H; j++) {
              p.w2.grad[j * C + k] = (p.w2.grad[j * C + k] as number) + g * (h[j] as number);
              dh[j] = (dh[j] as number) + g * (p.w2.value[j * C + k] as number);
            }
          }
        }
        let z = p.b3.value[0] as number;
        for (let j = 0; j < H; j++) z += (h[j] as number) * (p.w3.value[j] as number);
        const gt = sigmoid(z) - (ex.species >= 0 ? 1 : 0);
        p.b3.grad[0] = (p.b3.grad[0] as number) + gt;
        for (let j = 0; j < H; j++) {
          p.w3.grad[j] = (p.w3.grad[j] as number) + gt * (h[j] as number);
          dh[j] = (dh[j] as number) + gt * (p.w3.value[j] as number);
        }
        for (let j = 0; j < H; j++) {
          if ((h[j] as number) <= 0) continue;
          const g = dh[j] as number;
          p.b1.grad[j] = (p.b1.grad[j] as number) + g;
          for (let i = 0; i < inputs; i++) p.w1.grad[i * H + j] = (p.w1.grad[i * H + j] as number) + g * (x[i] as number);
        }
      }
      t++;
      for (const param of Object.values(p)) param.step(o.learningRate, t, 1 / batch.length);
    }
  }
  const f32 = (a: AdamParam): Float32Array => Float32Array.from(a.value);
  return {
    inputs, hidden: H, classes: C,
    w1: f32(p.w1), b1: f32(p.b1), w2: f32(p.w2), b2: f32(p.b2), w3: f32(p.w3), b3: f32(p.b3),
  };
}
