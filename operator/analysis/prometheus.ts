/**
 * The `prometheus` MetricsProvider: instant queries over the Prometheus HTTP API. The server series
 * carry `namespace`, `release` and `track` labels, relabelled from the pod labels (docs/conventions.md).
 *
 * The window of counter checks is `increase(...[W])` with W = max(analysis interval, minWindow):
 * increase() needs at least two scrapes inside W, so W must span a couple of scrape intervals.
 * Drift reads the pods' drift gauges at the query time.
 *
 * When the operator supplies the track's ready pods (listTrackEndpoints), every query is limited to
 * those pods: a pod that is gone keeps its last samples in Prometheus until the scrape of its target
 * stops (service discovery lags by seconds) and for up to the lookback delta after that, so a rolled-back
 * candidate's alarm would otherwise fail the next candidate of the same track.
 */
import type { CheckResult, CustomCheck, ModelRelease } from '../api/model-release-schema.js';
import { analysisOf, intervalOf } from './analysis-spec.js';
import { podDriftOf, windowFromSamples } from './aggregate.js';
import type { QueryAnswer } from './checks.js';
import { parseDurationSeconds } from './duration.js';
import { measureChecks, type MeasureSource, type WindowReading } from './measure.js';
import type { PromSample } from './prom-text.js';
import { PrometheusClient, type QueryResult, type VectorSample } from './prometheus-client.js';
import { emptyWindow, INFERENCE_ROUTES, SERVER_METRICS as M, type PodDrift } from './track-window.js';
import type { TrackEndpoint } from './pods.js';
import type { MetricsProvider, Track } from './types.js';

/** Options of the Prometheus provider. */
export interface PrometheusProviderOptions {
  address: string;
  /** Per-query timeout in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Least range of increase() in seconds (default 30: two scrapes at a 15 s scrape interval). */
  minWindowSeconds?: number;
  fetch?: typeof fetch;
  /** The track's ready pods; when given, only their series count (see the header). */
  listTrackEndpoints?(release: ModelRelease, track: Track): Promise<TrackEndpoint[]>;
}

/** A PromQL string literal. */
export const promString = (value: string): string => JSON.stringify(value);

const regexQuote = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The label selector of one track of one release, limited to `pods` when given. */
export function trackSelector(namespace: string, release: string, track: Track, pods?: string[]): string {
  const base = `namespace=${promString(namespace)},release=${promString(release)},track=${promString(track)}`;
  return pods ? `${base},pod=~${promString(pods.map(regexQuote).join('|'))}` : base;
}

const ROUTES = `route=~${promString(INFERENCE_ROUTES.map(regexQuote).join('|'))}`;

/** The PromQL the built-in checks of one track are computed from (one query per ingredient). */
export function windowQueries(selector: string, windowSeconds: number): Record<'requests' | 'buckets' | 'rejections' | 'inputs' | 'drift', string> {
  const w = `[${windowSeconds}s]`;
  return {
    requests: `sum by (code) (increase(${M.requests}{${selector},${ROUTES}}${w}))`,
    buckets: `sum by (le) (increase(${M.duration}_bucket{${selector},${ROUTES}}${w}))`,
    rejections: `sum by (reason) (increase(${M.rejections}{${selector}}${w}))`,
    inputs: `sum(increase(${M.targetScore}_count{${selector}}${w}))`,
    drift: `{__name__=~${promString([M.scoreMean, M.windowSize, M.alarmActive, M.baseline].join('|'))},${selector}}`,
  };
}

/** Replace {{release}}, {{namespace}}, {{track}} and {{interval}} in a custom query. */
export function renderQuery(query: string, vars: { release: string; namespace: string; track: Track; interval: string }): string {
  return query.replace(/\{\{\s*(release|namespace|track|interval)\s*\}\}/g, (_, name: keyof typeof vars) => vars[name]);
}

const vectorOf = (r: QueryResult): VectorSample[] => (r.type === 'vector' ? r.samples : [{ metric: {}, value: r.value }]);
const asSamples = (name: string, r: QueryResult): PromSample[] => vectorOf(r).map((s) => ({ name, labels: s.metric, value: s.value }));

/** Measures through Prometheus. Stateless: one instance per address. */
export class PrometheusMetricsProvider implements MetricsProvider {
  readonly type = 'prometheus' as const;
  readonly client: PrometheusClient;
  readonly #minWindowSeconds: number;
  readonly #listTrackEndpoints: PrometheusProviderOptions['listTrackEndpoints'];

  constructor(options: PrometheusProviderOptions) {
    this.client = new PrometheusClient(options);
    this.#minWindowSeconds = options.minWindowSeconds ?? 30;
    this.#listTrackEndpoints = options.listTrackEndpoints;
  }

  /** The increase() range, in whole seconds, for an analysis interval. */
  windowSeconds(interval: string): number {
    return Math.ceil(Math.max(parseDurationSeconds(interval), this.#minWindowSeconds));
  }

  /** Measure every enabled check of `release` for `track`. Never throws. */
  measure(release: ModelRelease, track: Track, now: Date): Promise<CheckResult[]> {
    const source: MeasureSource = {
      description: `prometheus at ${this.client.address}`,
      readWindow: (r, t) => this.#readWindow(r, t, now),
      answerCustom: (r, check, t) => this.#answerCustom(r, check, t, now),
    };
    return measureChecks(source, release, track, now);
  }

  async #readWindow(release: ModelRelease, track: Track, now: Date): Promise<WindowReading> {
    const ns = release.metadata.namespace ?? 'default';
    const readyPods = this.#listTrackEndpoints ? (await this.#listTrackEndpoints(release, track)).map((e) => e.podName) : undefined;
    if (readyPods && readyPods.length === 0) return { window: emptyWindow(track), emptyReason: `no ready pods of track ${track}` };
    const selector = trackSelector(ns, release.metadata.name, track, readyPods);
    const q = windowQueries(selector, this.windowSeconds(intervalOf(analysisOf(release))));
    const [requests, buckets, rejections, inputs, drift] = await Promise.all(
      [q.requests, q.buckets, q.rejections, q.inputs, q.drift].map((query) => this.client.query(query, now)),
    ) as [QueryResult, QueryResult, QueryResult, QueryResult, QueryResult];
    const increases = [
      ...asSamples(M.requests, requests),
      ...asSamples(`${M.duration}_bucket`, buckets),
      ...asSamples(M.rejections, rejections),
      ...asSamples(`${M.targetScore}_count`, inputs),
    ];
    const gaugesByPod = new Map<string, PromSample[]>();
    for (const s of vectorOf(drift)) {
      const pod = s.metric.pod ?? s.metric.instance ?? 'unknown';
      const list = gaugesByPod.get(pod) ?? [];
      list.push({ name: s.metric.__name__ ?? '', labels: s.metric, value: s.value });
      gaugesByPod.set(pod, list);
    }
    const pods: PodDrift[] = [];
    for (const [pod, gauges] of gaugesByPod) {
      const d = podDriftOf(pod, gauges);
      if (d) pods.push(d);
    }
    // Pods are counted by the drift gauges every tern-server exports; a track with traffic but no
    // gauges still counts as one source so that its traffic is judged.
    const podCount = gaugesByPod.size > 0 ? gaugesByPod.size : increases.length > 0 ? 1 : 0;
    return {
      window: windowFromSamples(track, podCount, increases, pods),
      emptyReason: `Prometheus at ${this.client.address} has no tern_server series for {${selector}} (are the pods scraped?)`,
    };
  }

  async #answerCustom(release: ModelRelease, check: CustomCheck, track: Track, now: Date): Promise<QueryAnswer> {
    const ns = release.metadata.namespace ?? 'default';
    const interval = `${this.windowSeconds(intervalOf(analysisOf(release)))}s`;
    const query = renderQuery(check.query, { release: release.metadata.name, namespace: ns, track, interval });
    const result = await this.client.query(query, now);
    if (result.type === 'scalar') return { kind: 'value', value: result.value };
    if (result.samples.length === 0) return { kind: 'empty', detail: query };
    if (result.samples.length > 1) {
      return { kind: 'error', message: `the query returned ${result.samples.length} series; it must return one number (aggregate it, e.g. with sum()): ${query}` };
    }
    return { kind: 'value', value: (result.samples[0] as VectorSample).value };
  }
}
