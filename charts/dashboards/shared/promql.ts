/**
 * PromQL shapes the panels repeat. Each returns plain PromQL text (what Grafana sends and what the tests
 * parse and run), so a query reads as PromQL with the repetition named.
 */

/** Per-second rate over Grafana's rate interval. */
export function rate(selector: string): string {
  return `rate(${selector}[$__rate_interval])`;
}

/** Increase over `range` (Grafana's rate interval unless given). */
export function increase(selector: string, range = '$__rate_interval'): string {
  return `increase(${selector}[${range}])`;
}

/** `sum by (labels) (expr)`. */
export function sumBy(labels: string, expr: string): string {
  return `sum by (${labels}) (${expr})`;
}

/** Quantile `q` of a histogram's `_bucket` series, per `labels`. */
export function quantile(q: number, labels: string, bucketSelector: string): string {
  return `histogram_quantile(${q}, ${sumBy(labels === '' ? 'le' : `${labels}, le`, rate(bucketSelector))})`;
}

/** `expr`, or 0 for every series of `present` (a counter nobody incremented yet still shows as 0). */
export function orZero(expr: string, present: string): string {
  return `${expr} or ${present} * 0`;
}
