/**
 * Label filter variables (namespace, release, track): multi-select with "All", each narrowed by the ones
 * before it, and the PromQL selector that filters a metric by them.
 */
import { QueryVariableBuilder, VariableHide, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS } from './datasource.js';

/** `metric{a=~"$a", b=~"$b", extra}`: a metric filtered by the label variables `by` (and more matchers). */
export function selector(metric: string, by: readonly string[], extra?: string): string {
  const matchers = [...by.map((name) => `${name}=~"$${name}"`), ...(extra === undefined ? [] : [extra])];
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(', ')}}`;
}

/**
 * A variable of the values of label `name` on `metric`, narrowed by the variables `parents`
 * (Grafana's "All" is the regex `.*`, so every selector can use `=~`).
 */
export function labelVariable(name: string, label: string, metric: string, parents: readonly string[]): QueryVariableBuilder {
  const query = `label_values(${selector(metric, parents)}, ${name})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query({ query, refId: name })
    .definition(query)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .hide(VariableHide.DontHide)
    .regex('')
    .options([]);
}
