// A classifier's outputs read as /v1/predict predictions: the answer's row shape, its label and the
// non-finite case. Shared by the model service (which counts and thresholds them), the /v1 and /v2
// routes and the response encoder (predict-response.ts), which so no longer imports the model service.
import type { ClassifierView } from './model-spec.js';
import type { Outputs } from './tensor.js';

/** One answer of /v1/predict; a row the model gave no finite outputs for has nulls and NON_FINITE_OUTPUT. */
export interface Prediction {
  label: string | null;
  class_index: number | null;
  confidence: number | null;
  target_score: number | null;
  rejected: boolean;
  reason?: string;
}

/**
 * Rejection reason of a row whose model outputs are NaN or infinite (e.g. finite float32 inputs so large that
 * the model overflows): no prediction is made, and nothing of it reaches the score metrics or drift.
 */
export const NON_FINITE_OUTPUT = 'non_finite_output';

/** The label of class `index`: the model's own, or class_<index> where it has none. */
export function classLabel(view: ClassifierView, index: number): string {
  return view.labels[index] ?? `class_${index}`;
}

/**
 * Reads a classifier's outputs row by row (not rejected; `observe` applies the rejection threshold). A row with
 * a non-finite probability or target score is answered with nulls, rejected as NON_FINITE_OUTPUT.
 */
export function readClassifierOutputs(view: ClassifierView, outputs: Outputs, rows: number): Prediction[] {
  const probs = outputs[view.probabilities];
  if (!probs) throw new Error(`model output ${view.probabilities} missing from the result`);
  const classes = probs.dims[1] ?? 0;
  const target = view.targetOutput ? outputs[view.targetOutput] : undefined;
  const out: Prediction[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestP = -Infinity;
    let finite = true;
    for (let c = 0; c < classes; c++) {
      const p = Number(probs.data[r * classes + c]);
      if (p > bestP) {
        bestP = p;
        best = c;
      }
      // p - p is 0 for every finite p, NaN for NaN and infinities.
      if (p - p !== 0) finite = false;
    }
    const score = target ? Number(target.data[r]) : bestP;
    if (!finite || score - score !== 0) {
      out.push({ label: null, class_index: null, confidence: null, target_score: null, rejected: true, reason: NON_FINITE_OUTPUT });
      continue;
    }
    out.push({ label: classLabel(view, best), class_index: best, confidence: bestP, target_score: score, rejected: false });
  }
  return out;
}
