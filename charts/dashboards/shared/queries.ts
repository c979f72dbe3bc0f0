/**
 * Panel queries: PromQL on the `datasource` variable, over the time range (graphs) or at its end (tables,
 * stats). Panels number them A, B, C... in the order given (see panels.ts).
 */
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PROMETHEUS } from './datasource.js';

/** A query over the dashboard's time range, one series per legend entry. */
export function rangeQuery(expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().datasource(PROMETHEUS).expr(expr).legendFormat(legend).range();
}

/** A query at the end of the time range, as table rows (one per series, labels as columns). */
export function instantQuery(expr: string, legend = ''): DataqueryBuilder {
  return new DataqueryBuilder().datasource(PROMETHEUS).expr(expr).legendFormat(legend).instant().format(PromQueryFormat.Table);
}

/** A range query of histogram buckets, drawn as a heatmap (one row per `le`). */
export function heatmapQuery(expr: string): DataqueryBuilder {
  return rangeQuery(expr, '{{le}}').format(PromQueryFormat.Heatmap);
}
