// The Grafana dashboards: every panel query parses (promtool) and reads only metrics named in docs/conventions.md.
// Queries are read through Prometheus' grammar (lib/promql.ts) with Grafana's interval variables substituted and
// $namespace/$release/$track kept as written, so a test can see which selector filters by which variable.
import { conventionSeriesNames } from '../lib/conventions.js';
import { loadDashboards, panelQueries, panelsOf, substituteVariables, variableSelectors } from '../lib/dashboards.js';
import { metricNames as metricNamesOfPromql, parsePromql } from '../lib/promql.js';
import { checkPromqlParses } from '../lib/tools.js';

const dashboards = loadDashboards();
const queries = panelQueries(dashboards);
const allowed = conventionSeriesNames();
const asWritten = (expr: string): string => substituteVariables(expr, { namespace: '$namespace', release: '$release', track: '$track' });
const metricNames = (expr: string): string[] => metricNamesOfPromql(asWritten(expr));
const PER_RELEASE = /^tern_(server_|release|analysis|roll)/;

describe('Grafana dashboards', () => {
  it('are the two the chart promises', () => {
    expect(dashboards.map((d) => d.title).sort()).toEqual(['Model serving', 'Tern overview']);
  });

  it.each(dashboards.map((d) => [d.title, d] as const))('%s: schemaVersion ~39, unique uid, datasource/namespace/release variables', (_title, dashboard) => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^tern-/);
    const names = dashboard.templating.list.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['datasource', 'namespace', 'release']));
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
  });

  it('every panel and query uses the ${datasource} variable', () => {
    for (const dashboard of dashboards) {
      for (const panel of panelsOf(dashboard)) {
        expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: '${datasource}' });
        for (const target of panel.targets ?? []) expect({ panel: panel.title, uid: target.datasource?.uid }).toEqual({ panel: panel.title, uid: '${datasource}' });
      }
    }
  });

  it('every panel has at least one query and filters by the namespace/release variables where the metric has them', () => {
    for (const dashboard of dashboards) {
      for (const panel of panelsOf(dashboard)) expect({ panel: panel.title, n: (panel.targets ?? []).length > 0 }).toEqual({ panel: panel.title, n: true });
    }
    const perRelease = queries.filter((q) => metricNames(q.expr).some((name) => PER_RELEASE.test(name)));
    expect(perRelease.length).toBeGreaterThan(20);
    // Every selector of a per-release metric, not merely somewhere in the query (`a{…$release…} / b` would pass that).
    const unfiltered = perRelease.flatMap((query) =>
      parsePromql(asWritten(query.expr))
        .selectors.filter((s) => s.metric !== undefined && PER_RELEASE.test(s.metric))
        .filter((s) => !['namespace', 'release'].every((label) => s.matchers.some((m) => m.label === label && m.op === '=~' && m.value === `$${label}`)))
        .map((s) => `${query.dashboard} / ${query.panel}: ${s.text}`),
    );
    expect(unfiltered).toEqual([]);
  });

  it('every panel query and variable query parses as PromQL once variables are substituted', () => {
    const exprs = [...queries.map((q) => q.expr), ...dashboards.flatMap(variableSelectors)].map((expr) => substituteVariables(expr));
    const result = checkPromqlParses(exprs);
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('the parse check rejects a broken query (so the test above can fail)', () => {
    const result = checkPromqlParses(['sum(rate(tern_server_predictions_total[1m])']);
    expect(result.status).not.toBe(0);
  });

  it('reads only metric names from docs/conventions.md', () => {
    expect(allowed.size).toBeGreaterThan(20);
    const exprs = [...queries.map((q) => ({ where: `${q.dashboard} / ${q.panel}`, expr: q.expr })), ...dashboards.flatMap((d) => variableSelectors(d).map((expr) => ({ where: `${d.title} variables`, expr })))];
    const unknown = exprs.flatMap(({ where, expr }) => metricNames(expr).filter((name) => !allowed.has(name)).map((name) => `${where}: ${name}`));
    expect(unknown).toEqual([]);
  });

  it('covers every metric of the conventions that a dashboard promises to show', () => {
    const used = new Set(queries.flatMap((q) => metricNames(q.expr)));
    for (const name of [
      'tern_release_phase', 'tern_release_canary_weight', 'tern_analysis_check_value', 'tern_analysis_check_threshold',
      'tern_rollbacks_total', 'tern_reconcile_duration_seconds_bucket', 'tern_server_http_requests_total',
      'tern_server_http_request_duration_seconds_bucket', 'tern_server_prediction_confidence_bucket', 'tern_server_predictions_total',
      'tern_server_target_score_mean', 'tern_server_drift_baseline_score', 'tern_server_drift_alarm_active',
      'tern_server_availability_ratio', 'tern_server_batch_size_bucket', 'tern_server_inference_errors_total', 'tern_server_rejections_total',
      'tern_server_prediction_confidence_sum', 'tern_server_prediction_confidence_count', 'tern_server_model_load_seconds',
      'tern_server_rejection_threshold',
    ]) {
      expect({ name, used: used.has(name) }).toEqual({ name, used: true });
    }
  });
});

describe('Model serving: average confidence', () => {
  it('has a panel of the mean confidence (sum over count of the confidence histogram) per track and version', () => {
    const mine = queries.filter((q) => q.dashboard === 'Model serving' && q.panel === 'Average confidence');
    expect(mine.map((q) => metricNames(q.expr).sort())).toEqual([['tern_server_prediction_confidence_count', 'tern_server_prediction_confidence_sum']]);
    expect(mine[0]?.expr).toMatch(/sum by \(release, track, version\) \(rate\(tern_server_prediction_confidence_sum\{[^}]*\}\[\$__rate_interval\]\)\) \/ sum by \(release, track, version\) \(rate\(tern_server_prediction_confidence_count/);
  });
});

describe('metricNames', () => {
  it('finds selected metrics and ignores functions, labels, strings, ranges and grouping', () => {
    expect(
      metricNames('sum by (release, le) (rate(a_bucket{route=~"/v1/x", code!~"5.."}[5m])) / on (release) group_left b or label_replace(c, "x", "${1}", "y", "(.*)") unless d offset 10m > bool 0.5'),
    ).toEqual(['a_bucket', 'b', 'c', 'd']);
  });

  it('flags a misspelled name', () => {
    expect(metricNames('rate(tern_server_http_request_total[1m])').filter((n) => !allowed.has(n))).toEqual(['tern_server_http_request_total']);
  });
});
