import { podIncreases, type PodScrape } from './pod-deltas.js';
import type { PromSample } from './prom-text.js';

const req = (code: string, value: number): PromSample => ({ name: 'tern_server_http_requests_total', labels: { route: '/v1/predict', method: 'POST', code }, value });
const scrape = (samples: PromSample[], ip = '127.0.1.1'): PodScrape => ({ pod: 'p', ip, samples });
const gauge: PromSample = { name: 'tern_server_target_score_mean', labels: {}, value: 0.7 };

describe('podIncreases', () => {
  it('takes per-series differences and drops gauges', () => {
    const { increases, reset } = podIncreases(scrape([req('200', 10), req('500', 1), gauge]), scrape([req('200', 25), req('500', 1), gauge]));
    expect(reset).toBe(false);
    expect(increases).toEqual([req('200', 15), req('500', 0)]);
  });
  it('counts a series that appeared since the previous scrape from 0', () => {
    expect(podIncreases(scrape([req('200', 10)]), scrape([req('200', 10), req('503', 4)])).increases).toEqual([req('200', 0), req('503', 4)]);
  });
  it('uses everything counted so far for a pod seen for the first time', () => {
    expect(podIncreases(undefined, scrape([req('200', 7)]))).toEqual({ increases: [req('200', 7)], reset: false });
  });
  it('treats a counter that went down as a restart of the pod: all its current counts are new', () => {
    expect(podIncreases(scrape([req('200', 100), req('500', 2)]), scrape([req('200', 3), req('500', 5)]))).toEqual({
      increases: [req('200', 3), req('500', 5)],
      reset: true,
    });
  });
  it('treats a new IP under the same pod name as a new pod', () => {
    expect(podIncreases(scrape([req('200', 10)]), scrape([req('200', 12)], '127.0.1.2')).increases).toEqual([req('200', 12)]);
  });
});
