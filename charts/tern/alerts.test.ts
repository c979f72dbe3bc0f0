// The alerts (files/alerts.yaml as the chart renders it): promtool check + unit tests for every alert, only
// convention metric names, and thresholds that are chart values (a changed value changes the rules).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ALERTS_FILE, defaultThresholds, renderAlerts, renderedAlertRules, rulesOf, substituteThresholds, thresholdPlaceholders } from '../lib/alerts.js';
import { conventionSeriesNames, REPO_ROOT } from '../lib/conventions.js';
import { metricNames } from '../lib/promql.js';
import { requireTool, run } from '../lib/tools.js';

const FILES = `${REPO_ROOT}charts/tern/files`;
const raw = readFileSync(ALERTS_FILE, 'utf8');
const alerts = renderedAlertRules().filter((r) => r.alert !== undefined);
const THRESHOLD = 'monitoring.prometheusRule.thresholds';

describe('alerts.yaml', () => {
  it('has the runbook alerts', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        'TernModelAvailabilityLow', 'TernModelLatencyP95High', 'TernModelDriftAlarm', 'TernModelRejectionsHigh',
        'TernModelHigh5xxRate', 'TernModelConfidenceLow', 'TernModelErrorResponsesHigh', 'TernModelInferenceErrors',
        'TernReleaseRolledBack', 'TernOperatorNotLeading',
      ].sort(),
    );
  });

  it.each(alerts.map((a) => [a.alert, a] as const))('%s has a severity and runbook-style annotations', (_name, alert) => {
    expect(['critical', 'warning']).toContain(alert.labels?.severity);
    expect(Object.keys(alert.annotations ?? {}).sort()).toEqual(['description', 'runbook', 'summary']);
  });

  it('reads only metric names from docs/conventions.md', () => {
    const allowed = conventionSeriesNames();
    expect(alerts.flatMap((a) => metricNames(a.expr).filter((n) => !allowed.has(n)).map((n) => `${a.alert}: ${n}`))).toEqual([]);
  });

  it('TernModelRejectionsHigh divides rejected inputs by scored inputs, as the rejectionRatio check does', () => {
    const expr = alerts.find((a) => a.alert === 'TernModelRejectionsHigh')?.expr ?? '';
    expect(metricNames(expr).sort()).toEqual(['tern_server_rejections_total', 'tern_server_target_score_count']);
  });

  it('every alert has a promtool unit test that expects it to fire and one that expects silence', () => {
    const tests = parse(readFileSync(`${FILES}/alerts.test.yaml`, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({ alert, fires: mine.some((c) => c.exp_alerts.length > 0), silent: mine.some((c) => c.exp_alerts.length === 0) }).toEqual({
        alert,
        fires: true,
        silent: true,
      });
    }
  });

  it('passes promtool check rules and promtool test rules (make test-rules)', () => {
    requireTool('promtool');
    const result = run(`${REPO_ROOT}charts/tools/test-rules.sh`, []);
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(result.stdout + result.stderr).toMatch(/Unit Testing:[^\n]*\n\s*SUCCESS/);
    expect(result.status).toBe(0);
  });
});

describe(`alert thresholds (${THRESHOLD})`, () => {
  const defaults = defaultThresholds();
  const names = Object.keys(defaults);

  it('every ${thresholds.NAME} of alerts.yaml has a default in values.yaml, and every default is used', () => {
    expect(thresholdPlaceholders(raw).sort()).toEqual(names.sort());
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it('the defaults render to the rules of alerts.yaml with the defaults substituted', () => {
    expect(alerts).toEqual(rulesOf(substituteThresholds(raw, defaults)).filter((r) => r.alert !== undefined));
  });

  // A value no default has, so that the changed rules are told apart from the default ones.
  it.each(names)('%s: a changed value changes exactly the rules that use it', (name) => {
    const changed = { ...defaults, [name]: 0.123 };
    const rendered = renderedAlertRules(['--set', `${THRESHOLD}.${name}=0.123`]);
    expect(rendered).toEqual(rulesOf(substituteThresholds(raw, changed)));
    const differs = rendered.filter((rule, i) => rule.expr !== alerts[i]?.expr).map((r) => r.alert);
    expect(differs.length).toBeGreaterThan(0);
    for (const rule of rendered.filter((r) => differs.includes(r.alert))) expect(rule.expr).toMatch(/[<>] 0\.123\s*$/);
  });

  it("takes the runbooks' numbers: VitalStream p95 < 200 ms, El Silencio p95 > 1 s", () => {
    const p95 = (value: string): string =>
      renderedAlertRules(['--set', `${THRESHOLD}.latencyP95Seconds=${value}`]).find((r) => r.alert === 'TernModelLatencyP95High')?.expr.trim() ?? '';
    expect(p95('0.2')).toMatch(/\) > 0\.2$/);
    expect(p95('1')).toMatch(/\) > 1$/);
  });

  it('rejects a missing or unknown threshold and a ratio given in percent', () => {
    for (const set of [`${THRESHOLD}.latencyP95Seconds=null`, `${THRESHOLD}.p99Seconds=1`, `${THRESHOLD}.availabilityMin=95`]) {
      expect({ set, status: renderAlerts(['--set', set]).status === 0 }).toEqual({ set, status: false });
    }
  });
});
