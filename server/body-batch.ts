// What an inference worker does with a batch of packed /v1/predict bodies before running it: parse each one
// into its rows, or its own error. Nothing one body holds can fail the others: a refused body gets its 4xx,
// and an unexpected exception (a fault of this server, not of the input) a 500 for that body alone.
import type { BodyResult, PackedBodies } from './batcher.js';
import { HttpError, INTERNAL_ERROR } from './http-error.js';
import { parsePredictBody } from './predict-body.js';
import type { PredictBatch } from './predict-request.js';

/** The parsed batch: every accepted body's vectors one after another, and per body its rows or its error. */
export interface ParsedBodies {
  rows: number;
  /** rows × features values; undefined when no body was accepted. */
  data: Float32Array | undefined;
  results: BodyResult[];
}

/** Parses each packed body for a model taking `features` values per vector, at most `maxRows` vectors per body. */
export function parseBodies(
  bodies: PackedBodies, features: number, maxRows: number,
  parse: (body: Buffer, features: number, maxRows: number) => PredictBatch = parsePredictBody,
): ParsedBodies {
  const results: BodyResult[] = [];
  const parts: Float32Array[] = [];
  let rows = 0;
  let at = 0;
  for (const length of bodies.lengths) {
    const body = Buffer.from(bodies.bytes, at, length);
    at += length;
    try {
      const batch = parse(body, features, maxRows);
      parts.push(batch.data);
      results.push({ rows: batch.rows });
      rows += batch.rows;
    } catch (err) {
      if (err instanceof HttpError) results.push({ status: err.status, message: err.message, reason: err.reason });
      else results.push({ status: 500, message: `internal error while parsing the body: ${(err as Error).message}`, reason: INTERNAL_ERROR });
    }
  }
  if (rows === 0) return { rows, data: undefined, results };
  let data = parts[0] as Float32Array;
  if (parts.length > 1) {
    data = new Float32Array(rows * features);
    let offset = 0;
    for (const p of parts) {
      data.set(p, offset);
      offset += p.length;
    }
  }
  return { rows, data, results };
}
