/**
 * The `pods` MetricsProvider: no Prometheus needed. It asks the reconciler for the track's endpoints
 * (EndpointSlices of the per-track Service, or pods by label), scrapes each pod's /metrics over HTTP
 * with a timeout, and measures the window since its previous scrape of the same pod (pod-deltas.ts).
 * Drift comes from the drift gauges in /metrics (the same numbers /v1/drift-stats reports).
 *
 * Call measure() once per analysis interval per track: the window is the time since the last call.
 * A call sooner than half an interval after the last one (a repeated reconcile) measures again from
 * the scrape before that, instead of judging a window of a few milliseconds.
 */
import type { CheckResult, ModelRelease } from '../api/model-release-schema.js';
import { podDriftOf, windowFromSamples, WINDOW_COUNTERS } from './aggregate.js';
import { describeError } from './errors.js';
import { analysisOf, intervalOf } from './analysis-spec.js';
import { parseDurationSeconds } from './duration.js';
import { measureChecks, type MeasureSource, type WindowReading } from './measure.js';
import { podIncreases, type PodScrape } from './pod-deltas.js';
import { parsePromText, type PromSample } from './prom-text.js';
import { SERVER_METRICS, type PodDrift } from './track-window.js';
import type { MetricsProvider, Track } from './types.js';

/** One ready pod of a track, as the reconciler sees it. */
export interface TrackEndpoint {
  podName: string;
  ip: string;
  port: number;
}

/** What the pods provider needs from the operator. */
export interface PodsProviderDeps {
  /** The ready pods of `track` of `release` (EndpointSlices of the track's Service, or pods by label). */
  listTrackEndpoints(release: ModelRelease, track: Track): Promise<TrackEndpoint[]>;
  /** Per-scrape timeout in milliseconds (default 2000). */
  scrapeTimeoutMs?: number;
  /** fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

const GAUGES: ReadonlySet<string> = new Set([
  SERVER_METRICS.scoreMean,
  SERVER_METRICS.windowSize,
  SERVER_METRICS.alarmActive,
  SERVER_METRICS.baseline,
]);
/** The scrapes of one measurement of a track. */
interface Generation {
  at: number;
  scrapes: Map<string, PodScrape>;
}

/** The last two measurements of a track. */
interface TrackState {
  latest?: Generation;
  older?: Generation;
}

const kept = (s: PromSample): boolean => WINDOW_COUNTERS.has(s.name) || GAUGES.has(s.name);


/** Scrapes the pods of each track directly. One instance serves every release (state is keyed per release and track). */
export class PodsMetricsProvider implements MetricsProvider {
  readonly type = 'pods' as const;
  readonly #deps: PodsProviderDeps;
  readonly #fetch: typeof fetch;
  /** The last measurements of each track, per `namespace/name/track@forTrack`. */
  readonly #state = new Map<string, TrackState>();

  constructor(deps: PodsProviderDeps) {
    this.#deps = deps;
    this.#fetch = deps.fetch ?? fetch;
  }

  /** Measure every enabled check of `release` for `track`. Never throws. */
  measure(release: ModelRelease, track: Track, now: Date): Promise<CheckResult[]> {
    const source: MeasureSource = { description: 'the pods provider', readWindow: (r, t, forTrack) => this.#readWindow(r, t, forTrack, now) };
    return measureChecks(source, release, track, now);
  }

  /** Drop the remembered scrapes of a release (call when it is deleted). */
  forget(namespace: string, name: string): void {
    for (const key of this.#state.keys()) if (key.startsWith(`${namespace}/${name}/`)) this.#state.delete(key);
  }

  async #scrape(ep: TrackEndpoint): Promise<PodScrape> {
    const url = `http://${ep.ip.includes(':') ? `[${ep.ip}]` : ep.ip}:${ep.port}/metrics`;
    const timeout = this.#deps.scrapeTimeoutMs ?? 2000;
    const res = await this.#fetch(url, { signal: AbortSignal.timeout(timeout), headers: { accept: 'text/plain' } });
    const body = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return { pod: ep.podName, ip: ep.ip, samples: parsePromText(body).filter(kept) };
  }

  async #readWindow(release: ModelRelease, track: Track, forTrack: Track, now: Date): Promise<WindowReading> {
    const ns = release.metadata.namespace ?? 'default';
    const key = `${ns}/${release.metadata.name}/${track}@${forTrack}`;
    const endpoints = await this.#deps.listTrackEndpoints(release, track);
    const state = this.#state.get(key) ?? {};
    const intervalMs = parseDurationSeconds(intervalOf(analysisOf(release))) * 1000;
    const repeated = state.latest !== undefined && state.older !== undefined && now.getTime() - state.latest.at < intervalMs / 2;
    const previous = (repeated ? state.older?.scrapes : state.latest?.scrapes) ?? new Map<string, PodScrape>();
    const scraped = await Promise.allSettled(endpoints.map((ep) => this.#scrape(ep)));
    const next = new Map<string, PodScrape>();
    const increases: PromSample[] = [];
    const drift: PodDrift[] = [];
    const failures: string[] = [];
    scraped.forEach((outcome, i) => {
      const ep = endpoints[i] as TrackEndpoint;
      if (outcome.status === 'rejected') {
        failures.push(`${ep.podName} (${ep.ip}:${ep.port}): ${describeError(outcome.reason)}`);
        // Keep its previous scrape: when it answers again, its delta covers both intervals.
        const before = previous.get(ep.podName);
        if (before) next.set(ep.podName, before);
        return;
      }
      const scrape = outcome.value;
      increases.push(...podIncreases(previous.get(ep.podName), scrape).increases);
      const podDrift = podDriftOf(ep.podName, scrape.samples);
      if (podDrift) drift.push(podDrift);
      next.set(ep.podName, scrape);
    });
    // Pods no longer listed are forgotten; a repeated call leaves the measurements as they were.
    if (!repeated) this.#state.set(key, { older: state.latest, latest: { at: now.getTime(), scrapes: next } });
    if (endpoints.length > 0 && failures.length === endpoints.length) {
      throw new Error(`no pod of track ${track} answered /metrics: ${failures.join('; ')}`);
    }
    const answered = endpoints.length - failures.length;
    return {
      window: windowFromSamples(track, answered, increases, drift),
      emptyReason: endpoints.length === 0 ? `no ready pods of track ${track}` : undefined,
    };
  }
}
