/**
 * The chart's alerts: files/alerts.yaml with its `${thresholds.NAME}` placeholders, the threshold defaults
 * of values.yaml, and the rules as the chart renders them (charts/tools/render-alerts.js, i.e. helm template).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { REPO_ROOT } from './conventions.js';
import { run } from './tools.js';

export const ALERTS_FILE = `${REPO_ROOT}charts/tern/files/alerts.yaml`;

/** One rule of a rules file. */
export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The rules of a rules file's text, groups flattened. */
export function rulesOf(text: string): Rule[] {
  return (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
}

/** The threshold names a text refers to as `${thresholds.NAME}`, each once, in order. */
export function thresholdPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{thresholds\.([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string))];
}

/** monitoring.prometheusRule.thresholds of the chart's values.yaml. */
export function defaultThresholds(): Record<string, number> {
  const values = parse(readFileSync(`${REPO_ROOT}charts/tern/values.yaml`, 'utf8')) as {
    monitoring: { prometheusRule: { thresholds: Record<string, number> } };
  };
  return values.monitoring.prometheusRule.thresholds;
}

/** The rules the chart renders, with extra helm arguments (`--set ...`); throws with helm's message on failure. */
export function renderedAlertRules(helmArgs: string[] = []): Rule[] {
  const result = renderAlerts(helmArgs);
  if (result.status !== 0) throw new Error(`render-alerts.js ${helmArgs.join(' ')} failed:\n${result.stderr}`);
  return rulesOf(result.stdout);
}

/** Runs charts/tools/render-alerts.js with extra helm arguments. */
export function renderAlerts(helmArgs: string[] = []): ReturnType<typeof run> {
  return run('node', [`${REPO_ROOT}charts/tools/render-alerts.js`, ...helmArgs]);
}

/** `text` with every `${thresholds.NAME}` replaced by `values[NAME]` (what the chart's template does). */
export function substituteThresholds(text: string, values: Record<string, number>): string {
  return text.replace(/\$\{thresholds\.([A-Za-z0-9_]+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
