/**
 * Counter deltas between two scrapes of one pod — how the pods provider measures "since the previous
 * measurement" without Prometheus.
 *
 * Rules (as PromQL's increase() treats resets, but per pod): a pod seen for the first time contributes
 * everything it counted since it started (its window is its lifetime); a pod whose counters went down
 * (the process restarted) or whose IP changed (a new pod with the same name) also contributes its
 * current counts; a series missing from the previous scrape starts at 0. Pods that are gone simply
 * contribute nothing more.
 */
import { WINDOW_COUNTERS } from './aggregate.js';
import type { PromSample } from './prom-text.js';

/** One scrape of one pod's /metrics. */
export interface PodScrape {
  pod: string;
  ip: string;
  /** Only the window counters and drift gauges need to be kept. */
  samples: PromSample[];
}

const seriesKey = (s: PromSample): string =>
  `${s.name}{${Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(',')}}`;

/** Counter increases of `cur` since `prev`, and whether a reset was detected. */
export function podIncreases(prev: PodScrape | undefined, cur: PodScrape): { increases: PromSample[]; reset: boolean } {
  const counters = cur.samples.filter((s) => WINDOW_COUNTERS.has(s.name));
  if (!prev || prev.ip !== cur.ip) return { increases: counters, reset: prev !== undefined };
  const before = new Map(prev.samples.filter((s) => WINDOW_COUNTERS.has(s.name)).map((s) => [seriesKey(s), s.value]));
  const reset = counters.some((s) => s.value < (before.get(seriesKey(s)) ?? 0));
  if (reset) return { increases: counters, reset };
  return { increases: counters.map((s) => ({ ...s, value: s.value - (before.get(seriesKey(s)) ?? 0) })), reset };
}
