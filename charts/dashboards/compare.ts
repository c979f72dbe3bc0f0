/**
 * `make dashboards-diff`: what differs between two sets of dashboard JSON files (e.g. the committed ones at
 * a git revision and the working tree), beyond what a text diff of generated JSON shows at a glance:
 * 1. the panels and queries: per panel its id, type, title, description, size and place, unit, min/max,
 *    thresholds, overrides, transformations and every query (refId, PromQL, legend, instant, format) —
 *    any difference here exits 1;
 * 2. every other JSON leaf that was removed, changed or added (paths with array indices as []).
 * Usage: node dist/charts/dashboards/compare.js OLD_DIR NEW_DIR
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const field = (o: Json | undefined, key: string): Json | undefined => (o !== null && typeof o === 'object' && !Array.isArray(o) ? o[key] : undefined);
const list = (o: Json | undefined): Json[] => (Array.isArray(o) ? o : []);

/** The panels of a dashboard, rows included, nested ones flattened. */
function panels(dashboard: Json): JsonObject[] {
  return list(field(dashboard, 'panels')).flatMap((p) => [p, ...list(field(p, 'panels'))]) as JsonObject[];
}

/** What a panel shows and asks, keyed by its title. */
export function panelFingerprint(panel: JsonObject): Json {
  const defaults = field(field(panel, 'fieldConfig'), 'defaults');
  return {
    id: panel.id ?? null, type: panel.type ?? null, title: panel.title ?? null, description: panel.description ?? null,
    gridPos: panel.gridPos ?? null, unit: field(defaults, 'unit') ?? null, min: field(defaults, 'min') ?? null, max: field(defaults, 'max') ?? null,
    thresholds: field(defaults, 'thresholds') ?? null, overrides: field(field(panel, 'fieldConfig'), 'overrides') ?? [],
    transformations: panel.transformations ?? [],
    queries: list(panel.targets).map((t) => ({
      refId: field(t, 'refId') ?? null, expr: field(t, 'expr') ?? null, legend: field(t, 'legendFormat') ?? null,
      instant: field(t, 'instant') === true, format: field(t, 'format') ?? null, datasource: field(field(t, 'datasource'), 'uid') ?? null,
    })),
  };
}

/** Every leaf of a JSON value as path → value; array indices are kept (the diff compares like with like). */
function leaves(value: Json, path = '', out = new Map<string, Json>()): Map<string, Json> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) out.set(path, value);
    for (const [key, child] of entries) leaves(child, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, out);
  } else {
    out.set(path, value);
  }
  return out;
}

const shape = (path: string): string => path.replace(/\[\d+\]/g, '[]');

function compareFile(file: string, before: Json, after: Json): boolean {
  const old = panels(before);
  const now = panels(after);
  const count = (ps: JsonObject[]) => `${ps.filter((p) => p.type !== 'row').length} panels, ${ps.filter((p) => p.type === 'row').length} rows, ${ps.reduce((n, p) => n + list(p.targets).length, 0)} queries`;
  process.stdout.write(`${file}\n  before: ${count(old)}\n  after:  ${count(now)}\n`);
  let same = true;
  for (const key of ['uid', 'title', 'schemaVersion']) {
    if (!isDeepStrictEqual(field(before, key), field(after, key))) {
      process.stdout.write(`  ${key}: ${JSON.stringify(field(before, key))} -> ${JSON.stringify(field(after, key))}\n`);
      same = key === 'schemaVersion' && same;
    }
  }
  const byTitle = (ps: JsonObject[]) => new Map(ps.map((p) => [String(p.title), panelFingerprint(p)]));
  const [a, b] = [byTitle(old), byTitle(now)];
  for (const title of new Set([...a.keys(), ...b.keys()])) {
    if (isDeepStrictEqual(a.get(title), b.get(title))) continue;
    same = false;
    process.stdout.write(`  panel "${title}" differs:\n    before ${JSON.stringify(a.get(title) ?? null)}\n    after  ${JSON.stringify(b.get(title) ?? null)}\n`);
  }
  process.stdout.write(`  panels and queries: ${same ? 'identical' : 'DIFFERENT'}\n`);
  const [x, y] = [leaves(before), leaves(after)];
  const removed = [...x.keys()].filter((k) => !y.has(k));
  const changed = [...x.keys()].filter((k) => y.has(k) && !isDeepStrictEqual(x.get(k), y.get(k)));
  const added = [...y.keys()].filter((k) => !x.has(k));
  const show = (label: string, paths: string[], withValues: boolean) => {
    const groups = new Map<string, string[]>();
    for (const p of paths) groups.set(shape(p), [...(groups.get(shape(p)) ?? []), withValues ? `${JSON.stringify(x.get(p))} -> ${JSON.stringify(y.get(p))}` : JSON.stringify(y.get(p) ?? x.get(p))]);
    process.stdout.write(`  other JSON leaves ${label}: ${paths.length}\n`);
    for (const [path, values] of groups) process.stdout.write(`    ${path} (${values.length}x): ${[...new Set(values)].slice(0, 3).join(' | ')}\n`);
  };
  show('removed', removed, false);
  show('changed', changed, true);
  show('added', added, false);
  return same;
}

function load(dir: string): Map<string, Json> {
  return new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => [f, JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Json]));
}

const [oldDir, newDir] = process.argv.slice(2);
if (oldDir === undefined || newDir === undefined) {
  process.stderr.write('usage: node dist/charts/dashboards/compare.js OLD_DIR NEW_DIR\n');
  process.exit(2);
}
const [before, after] = [load(oldDir), load(newDir)];
let same = true;
for (const file of new Set([...before.keys(), ...after.keys()])) {
  const [b, a] = [before.get(file), after.get(file)];
  if (b === undefined || a === undefined) {
    process.stdout.write(`${file}: only ${b === undefined ? 'after' : 'before'}\n`);
    same = false;
    continue;
  }
  same = compareFile(file, b, a) && same;
}
process.exit(same ? 0 : 1);
