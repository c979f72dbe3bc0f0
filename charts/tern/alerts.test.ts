// The alerts (files/alerts.yaml): promtool check + unit tests for every alert, and only convention metric names.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { conventionSeriesNames, REPO_ROOT } from '../lib/conventions.js';
import { metricNames } from '../lib/promql.js';
import { requireTool, run } from '../lib/tools.js';

interface Rule {
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const FILES = `${REPO_ROOT}charts/tern/files`;
const rules = (parse(readFileSync(`${FILES}/alerts.yaml`, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);

describe('alerts.yaml', () => {
  it('has the runbook alerts', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        'TernModelAvailabilityLow', 'TernModelLatencyP95High', 'TernModelDriftAlarm', 'TernModelRejectionsHigh',
        'TernModelHigh5xxRate', 'TernModelInferenceErrors', 'TernReleaseRolledBack', 'TernOperatorNotLeading',
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
    expect(result.stdout + result.stderr).toContain('SUCCESS: 8 rules found');
    expect(result.stdout + result.stderr).toMatch(/Unit Testing:[^\n]*\n\s*SUCCESS/);
    expect(result.status).toBe(0);
  });
});
