/**
 * Reads the metric names shared by the programs from docs/conventions.md, so that the chart's
 * dashboards and alerts can be checked against exactly those names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, with a trailing slash: two levels above this file in the sources (charts/lib/),
 * three when it runs compiled from dist/charts/lib/ (the demo and the benchmarks do), where the checkout's
 * package.json is not.
 */
export const REPO_ROOT = ((): string => {
  const twoUp = fileURLToPath(new URL('../../', import.meta.url));
  return existsSync(`${twoUp}package.json`) ? twoUp : fileURLToPath(new URL('../../../', import.meta.url));
})();

/** A metric from a conventions table. */
export interface ConventionMetric {
  name: string;
  type: string;
}

/** Every metric in the "Server metrics" and "Operator metrics" tables of docs/conventions.md. */
export function conventionMetrics(markdown = readFileSync(`${REPO_ROOT}docs/conventions.md`, 'utf8')): ConventionMetric[] {
  const metrics: ConventionMetric[] = [];
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*`(tern_[a-z0-9_]+)`\s*\|\s*([^|]+)\|/.exec(line);
    if (match?.[1] && match[2]) metrics.push({ name: match[1], type: match[2].trim() });
  }
  return metrics;
}

/** The series names Prometheus stores for those metrics: histograms add _bucket, _sum and _count. */
export function conventionSeriesNames(metrics = conventionMetrics()): Set<string> {
  const names = new Set<string>();
  for (const { name, type } of metrics) {
    names.add(name);
    if (type.startsWith('histogram')) for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}
