/**
 * What differs between two sets of dashboards (file name → parsed JSON), beyond what a text diff of
 * generated JSON shows at a glance (`make dashboards-diff`, compare.ts):
 * 1. the panels and queries: per panel (by title) its id, type, title, description, size and place, unit,
 *    min/max, thresholds, overrides, transformations and every query (refId, PromQL, legend, instant,
 *    format, data source); the dashboards' uid and title; files only on one side — any of these makes
 *    `same` false;
 * 2. every other JSON leaf removed, changed or added (paths shown with array indices as []).
 */
import { isDeepStrictEqual } from 'node:util';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface DashboardDiff {
  /** Same files, uids, titles, panels and queries. */
  same: boolean;
  /** The report, one line each. */
  lines: string[];
}

const field = (o: Json | undefined, key: string): Json | undefined => (o !== null && typeof o === 'object' && !Array.isArray(o) ? o[key] : undefined);
const list = (o: Json | undefined): Json[] => (Array.isArray(o) ? o : []);

/** The panels of a dashboard, rows included, nested ones flattened. */
function panels(dashboard: Json): JsonObject[] {
  return list(field(dashboard, 'panels')).flatMap((p) => [p, ...list(field(p, 'panels'))]) as JsonObject[];
}

/** What a panel shows and asks. */
function fingerprint(panel: JsonObject): Json {
  const config = field(panel, 'fieldConfig');
  const defaults = field(config, 'defaults');
  return {
    id: panel.id ?? null, type: panel.type ?? null, title: panel.title ?? null, description: panel.description ?? null,
    gridPos: panel.gridPos ?? null, unit: field(defaults, 'unit') ?? null, min: field(defaults, 'min') ?? null, max: field(defaults, 'max') ?? null,
    thresholds: field(defaults, 'thresholds') ?? null, overrides: field(config, 'overrides') ?? [], transformations: panel.transformations ?? [],
    queries: list(panel.targets).map((t) => ({
      refId: field(t, 'refId') ?? null, expr: field(t, 'expr') ?? null, legend: field(t, 'legendFormat') ?? null,
      instant: field(t, 'instant') === true, format: field(t, 'format') ?? null, datasource: field(field(t, 'datasource'), 'uid') ?? null,
    })),
  };
}

/** Every leaf of a JSON value (empty objects and arrays included) as path → value. */
function leaves(value: Json, path = '', out = new Map<string, Json>()): Map<string, Json> {
  if (value === null || typeof value !== 'object') return out.set(path, value);
  const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value).map(([k, v]) => [`.${k}`, v] as const);
  if (entries.length === 0) out.set(path, value);
  for (const [key, child] of entries) leaves(child, `${path}${key}`, out);
  return out;
}

function counts(ps: JsonObject[]): string {
  const rows = ps.filter((p) => p.type === 'row').length;
  return `${ps.length - rows} panels, ${rows} rows, ${ps.reduce((n, p) => n + list(p.targets).length, 0)} queries`;
}

function diffFile(file: string, before: Json, after: Json, lines: string[]): boolean {
  const [old, now] = [panels(before), panels(after)];
  lines.push(file, `  before: ${counts(old)}`, `  after:  ${counts(now)}`);
  let same = true;
  for (const key of ['uid', 'title', 'schemaVersion']) {
    if (isDeepStrictEqual(field(before, key), field(after, key))) continue;
    lines.push(`  ${key}: ${JSON.stringify(field(before, key))} -> ${JSON.stringify(field(after, key))}`);
    if (key !== 'schemaVersion') same = false;
  }
  const byTitle = (ps: JsonObject[]) => new Map(ps.map((p) => [String(p.title), fingerprint(p)]));
  const [a, b] = [byTitle(old), byTitle(now)];
  for (const title of new Set([...a.keys(), ...b.keys()])) {
    if (isDeepStrictEqual(a.get(title), b.get(title))) continue;
    same = false;
    lines.push(`  panel "${title}" differs:`, `    before ${JSON.stringify(a.get(title) ?? null)}`, `    after  ${JSON.stringify(b.get(title) ?? null)}`);
  }
  lines.push(`  panels and queries: ${same ? 'identical' : 'DIFFERENT'}`);

  const [x, y] = [leaves(before), leaves(after)];
  const report = (label: string, paths: string[], show: (path: string) => string) => {
    const groups = new Map<string, string[]>();
    for (const path of paths) {
      const shape = path.replace(/\[\d+\]/g, '[]');
      groups.set(shape, [...(groups.get(shape) ?? []), show(path)]);
    }
    lines.push(`  other JSON leaves ${label}: ${paths.length}`);
    for (const [shape, values] of groups) lines.push(`    ${shape} (${values.length}x): ${[...new Set(values)].slice(0, 3).join(' | ')}`);
  };
  report('removed', [...x.keys()].filter((k) => !y.has(k)), (k) => JSON.stringify(x.get(k)));
  report('changed', [...x.keys()].filter((k) => y.has(k) && !isDeepStrictEqual(x.get(k), y.get(k))), (k) => `${JSON.stringify(x.get(k))} -> ${JSON.stringify(y.get(k))}`);
  report('added', [...y.keys()].filter((k) => !x.has(k)), (k) => JSON.stringify(y.get(k)));
  return same;
}

export function diffDashboards(before: Map<string, Json>, after: Map<string, Json>): DashboardDiff {
  const lines: string[] = [];
  let same = true;
  for (const file of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [b, a] = [before.get(file), after.get(file)];
    if (b === undefined || a === undefined) {
      lines.push(`${file}: only ${b === undefined ? 'after' : 'before'}`);
      same = false;
    } else {
      same = diffFile(file, b, a, lines) && same;
    }
  }
  return { same, lines };
}
