// Parses and validates a /v1/predict body into one float32 batch. Accepted shapes:
//   {"instances": [[f, ...], ...]}   many feature vectors
//   {"features": [f, ...]}           one feature vector
//   {"features": [[f, ...], ...]}    many feature vectors
import { HttpError } from './http-error.js';
import { describeValue } from './input-text.js';

/** A validated batch of feature vectors. */
export interface PredictBatch {
  rows: number;
  data: Float32Array;
}

/** Validates `doc` against a model that takes `features` values per input; throws HttpError(400). */
export function parsePredictRequest(doc: unknown, features: number, maxRows: number): PredictBatch {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new HttpError(400, 'expected a JSON object with "instances" (an array of feature vectors) or "features"');
  }
  const body = doc as Record<string, unknown>;
  let vectors: unknown;
  if ('instances' in body) vectors = body['instances'];
  else if ('features' in body) {
    const f = body['features'];
    vectors = Array.isArray(f) && f.length > 0 && !Array.isArray(f[0]) ? [f] : f;
  } else {
    throw new HttpError(400, 'missing "instances" (an array of feature vectors) or "features" (one feature vector)');
  }
  if (!Array.isArray(vectors)) throw new HttpError(400, '"instances" must be an array of feature vectors');
  if (vectors.length === 0) throw new HttpError(400, 'empty batch: send at least one feature vector');
  if (vectors.length > maxRows) throw new HttpError(413, `${vectors.length} feature vectors in one request; the limit is ${maxRows}`);
  const data = new Float32Array(vectors.length * features);
  vectors.forEach((v: unknown, row) => {
    if (!Array.isArray(v)) throw new HttpError(400, `instance ${row} is not an array of numbers`);
    if (v.length !== features) throw new HttpError(400, `instance ${row} has ${v.length} values; the model expects ${features}`);
    for (let i = 0; i < features; i++) {
      const x: unknown = v[i];
      if (typeof x !== 'number') throw new HttpError(400, `instance ${row}, value ${i} is ${describeValue(x)}; expected a finite number`);
      // JSON has no NaN or infinity: a non-finite number here was written too large for a double (e.g. 1e400).
      if (!Number.isFinite(x)) throw new HttpError(400, `instance ${row}, value ${i} is out of range (too large for a number); expected a finite float32`);
      data[row * features + i] = x;
      if (!Number.isFinite(data[row * features + i])) {
        throw new HttpError(400, `instance ${row}, value ${i} (${x}) does not fit in float32`);
      }
    }
  });
  return { rows: vectors.length, data };
}
