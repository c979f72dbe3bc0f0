/**
 * Golden queries in staging: each query's input goes to the candidate (POST /v1/predict on one ready
 * pod) and every expectation (class index, label, least confidence) must hold. The judgement of one
 * answer is pure; the HTTP call is thin.
 */
import type { ModelRelease } from '../api/model-release-schema.js';
import type { TrackEndpoint } from '../analysis/pods.js';
import type { GoldenResult } from '../planner/types.js';

type GoldenQuery = NonNullable<NonNullable<ModelRelease['spec']['rollout']>['staging']['goldenQueries']>[number];

/** One /v1/predict answer row (tern-server's Prediction): read from a pod, so checked before use. */
export interface PredictionRow {
  label: string;
  class_index: number;
  /** null when the model's output was not finite (tern-server's reason `non_finite_output`). */
  confidence: number | null;
  reason?: string;
}

/** Why `answer` misses `query`'s expectations, or undefined when it meets them. */
export function goldenMismatch(query: GoldenQuery, answer: PredictionRow): string | undefined {
  if (typeof answer.confidence !== 'number' || !Number.isFinite(answer.confidence)) {
    return `the answer has no finite confidence (${answer.reason ?? 'confidence is null'})`;
  }
  if (query.expectClassIndex !== undefined && answer.class_index !== query.expectClassIndex) {
    return `expected class ${query.expectClassIndex}, got ${answer.class_index} (${answer.label})`;
  }
  if (query.expectLabel !== undefined && answer.label !== query.expectLabel) return `expected label ${query.expectLabel}, got ${answer.label}`;
  if (query.minConfidence !== undefined && answer.confidence < query.minConfidence) {
    return `confidence ${answer.confidence.toFixed(3)} is below ${query.minConfidence}`;
  }
  return undefined;
}

/** Send every query to `endpoint`; Failed on the first unmet expectation, Error when the pod cannot answer. */
export async function runGoldenQueries(queries: GoldenQuery[], endpoints: TrackEndpoint[], fetchFn: typeof fetch = fetch, timeoutMs = 5000): Promise<GoldenResult> {
  const endpoint = endpoints[0];
  if (!endpoint) return { outcome: 'Error', message: 'no ready candidate pod to send golden queries to' };
  for (const [i, query] of queries.entries()) {
    const label = query.name ?? `query ${i + 1}`;
    let row: PredictionRow | undefined;
    try {
      const res = await fetchFn(`http://${endpoint.ip}:${endpoint.port}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [query.input] }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.json()) as { predictions?: PredictionRow[]; error?: string };
      if (!res.ok) return { outcome: res.status >= 500 ? 'Error' : 'Failed', message: `${label}: HTTP ${res.status} ${body.error ?? ''}`.trim() };
      row = body.predictions?.[0];
    } catch (err) {
      return { outcome: 'Error', message: `${label}: pod ${endpoint.podName} did not answer: ${(err as Error).message}` };
    }
    if (!row) return { outcome: 'Failed', message: `${label}: the answer has no prediction` };
    const mismatch = goldenMismatch(query, row);
    if (mismatch) return { outcome: 'Failed', message: `${label}: ${mismatch}` };
  }
  return { outcome: 'Successful', message: `${queries.length} golden queries passed` };
}
