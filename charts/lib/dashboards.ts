/**
 * Loads the chart's Grafana dashboards (charts/tern/files/dashboards/*.json) and turns every panel
 * query into plain PromQL by substituting the dashboard variables, so tests can parse the queries,
 * check their metric names and run them against a real Prometheus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from './conventions.js';

export const DASHBOARD_DIR = `${REPO_ROOT}charts/tern/files/dashboards`;

/** One query of one panel. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  /** Instant (table/stat) rather than range query. */
  instant: boolean;
}

/** The parts of a Grafana dashboard the tests read. */
export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
  panels: Panel[];
}

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; instant?: boolean; datasource?: { uid: string } }[];
  panels?: Panel[];
}

/** Every dashboard JSON file of the chart. */
export function loadDashboards(dir = DASHBOARD_DIR): Dashboard[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ ...(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Omit<Dashboard, 'file'>), file }));
}

/** The panels of a dashboard, rows flattened (collapsed rows keep theirs in `panels`). */
export function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]).filter((panel) => panel.type !== 'row');
}

/** Every panel query of every dashboard. */
export function panelQueries(dashboards = loadDashboards()): PanelQuery[] {
  return dashboards.flatMap((dashboard) =>
    panelsOf(dashboard).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        dashboard: dashboard.title,
        panel: panel.title,
        refId: target.refId,
        expr: target.expr,
        instant: target.instant === true,
      })),
    ),
  );
}

/** The selectors inside the dashboards' label_values(...) variable queries. */
export function variableSelectors(dashboard: Dashboard): string[] {
  return dashboard.templating.list.flatMap((variable) => {
    if (variable.type !== 'query' || variable.query === undefined) return [];
    const text = typeof variable.query === 'string' ? variable.query : variable.query.query;
    const match = /^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(text.trim());
    return match?.[1] ? [match[1]] : [text];
  });
}

/** Values for the dashboard variables; regexes, as Grafana's "All" (".*") would give. */
export interface VariableValues {
  namespace?: string;
  release?: string;
  track?: string;
  /** $__rate_interval and $__interval. */
  rateInterval?: string;
  /** $__range. */
  range?: string;
}

/** The query as Grafana would send it, with variables substituted. */
export function substituteVariables(expr: string, values: VariableValues = {}): string {
  const byName: Record<string, string> = {
    namespace: values.namespace ?? '.*',
    release: values.release ?? '.*',
    track: values.track ?? '.*',
    __rate_interval: values.rateInterval ?? '1m',
    __interval: values.rateInterval ?? '1m',
    __range: values.range ?? '1h',
  };
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => byName[name] ?? whole);
}
