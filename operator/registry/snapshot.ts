/**
 * Metrics snapshots kept in files (registry `metrics_snapshot: "reports/metrics_baseline.json"`): where
 * such a path may point, reading it (bounded), and turning a metrics report as tools write it into the
 * registry's snapshot (tpr, tnr, score_mean found under their aliases; every other number carried along).
 * Problems come back as one sentence; registry.ts adds the entry's pointer.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import type { MetricsSnapshot } from './registry-schema.js';

/** Largest snapshot file read. */
export const SNAPSHOT_MAX_BYTES = 1024 * 1024;
/** The ModelRelease keeps at most 64 metrics (spec.model.metrics maxProperties). */
export const SNAPSHOT_MAX_METRICS = 64;
/** Deepest object nesting searched for numbers. */
const MAX_DEPTH = 4;

/**
 * Names a metrics report may use for the three required numbers, first the registry's own. Nested keys
 * are written with ".". The EcoMarineAI runbook's compute_metrics report nests tpr and tnr under
 * "anti_fraud"; its drift baseline is the "cetacean_score mean" (cetacean_score_mean, mean_cetacean_score).
 */
export const METRIC_ALIASES: Readonly<Record<'tpr' | 'tnr' | 'score_mean', readonly string[]>> = {
  tpr: ['tpr', 'true_positive_rate', 'anti_fraud.tpr'],
  tnr: ['tnr', 'true_negative_rate', 'anti_fraud.tnr'],
  score_mean: ['score_mean', 'cetacean_score_mean', 'mean_cetacean_score'],
};

const METRIC_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export type SnapshotResult = { ok: true; metrics: MetricsSnapshot } | { ok: false; message: string };

/**
 * Why `path` may not name a snapshot, or undefined when it may: it must be relative to the registry file
 * and stay inside the registry file's folder. A registry comes from a pull request as often as from its
 * author, and `tern registry render` runs in CI: a path out of the repository (../../.., /etc, a
 * symlink) could carry another file's numbers into a rendered manifest or its text into a CI log.
 */
export function snapshotPathProblem(path: string): string | undefined {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(path)) return 'must be a file path relative to the registry file, not a URL';
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith('\\')) return 'must be a path relative to the registry file, not an absolute one';
  if (path.includes('\0')) return 'must not contain NUL characters';
  const normalized = normalize(path);
  if (normalized === '..' || normalized.startsWith(`..${sep}`)) return 'must stay inside the registry file\'s folder (no "../" out of it): move the report beside or below the registry';
  return undefined;
}

/** Reads and converts the snapshot file `path` (relative to the folder of `registryFile`). */
export function readSnapshotFile(registryFile: string, path: string): SnapshotResult {
  const fail = (message: string): SnapshotResult => ({ ok: false, message });
  const problem = snapshotPathProblem(path);
  if (problem !== undefined) return fail(problem);
  const folder = dirname(resolve(registryFile));
  let real: string;
  try {
    real = realpathSync(resolve(folder, path));
    const within = relative(realpathSync(folder), real);
    if (within === '..' || within.startsWith(`..${sep}`) || isAbsolute(within)) {
      return fail('leads out of the registry file\'s folder (through a symbolic link): move the report beside or below the registry');
    }
    // A FIFO or device would block or never end: only regular files are opened.
    if (!statSync(real).isFile()) return fail('is not a regular file');
  } catch (error) {
    return fail(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let text: string;
  try {
    text = readBounded(real);
  } catch (error) {
    return fail(error instanceof RangeError ? error.message : `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (error) {
    // The parser's own message quotes the text; keep only where it failed.
    const at = /position (\d+)/.exec((error as Error).message);
    return fail(`is not valid JSON${at ? ` (at character ${at[1]})` : ''}`);
  }
  return snapshotFromReport(report);
}

function readBounded(file: string): string {
  const fd = openSync(file, 'r');
  try {
    if (fstatSync(fd).size > SNAPSHOT_MAX_BYTES) throw new RangeError(`is larger than ${SNAPSHOT_MAX_BYTES / 1024 / 1024} MiB`);
    const buffer = Buffer.alloc(SNAPSHOT_MAX_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length <= SNAPSHOT_MAX_BYTES; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > SNAPSHOT_MAX_BYTES) throw new RangeError(`is larger than ${SNAPSHOT_MAX_BYTES / 1024 / 1024} MiB`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * A metrics report (parsed JSON) -> the registry's snapshot. Numbers at any depth (up to 4 objects deep)
 * are kept, nested keys joined with "_" (anti_fraud.roc_auc -> anti_fraud_roc_auc); their keys must be
 * able to name a metric. Strings, booleans, null and lists are not metrics and are left out. tpr, tnr and score_mean are taken from the one alias
 * present (METRIC_ALIASES) and must be within 0..1.
 */
export function snapshotFromReport(report: unknown): SnapshotResult {
  const fail = (message: string): SnapshotResult => ({ ok: false, message });
  if (!isObject(report)) return fail('must hold a JSON object of metrics');
  const numbers = new Map<string, number>(); // dotted path -> value
  const problem = collectNumbers(report, '', 1, numbers);
  if (problem !== undefined) return fail(problem);

  const metrics: Record<string, number> = {};
  const used = new Set<string>();
  for (const [name, aliases] of Object.entries(METRIC_ALIASES)) {
    const present = aliases.filter((alias) => numbers.has(alias));
    if (present.length === 0) return fail(`has no ${name} (looked for ${aliases.join(', ')})`);
    if (present.length > 1) return fail(`has ${present.join(' and ')}, all meaning ${name}: keep one`);
    const value = numbers.get(present[0] as string) as number;
    if (value < 0 || value > 1) return fail(`${present[0]} must be within 0..1, got ${value}`);
    metrics[name] = value;
    used.add(present[0] as string);
  }
  const carried = new Map<string, string>(); // metric name -> dotted path it came from
  for (const path of [...numbers.keys()].sort()) {
    if (used.has(path)) continue;
    const name = path.split('.').join('_');
    const clash = carried.get(name) ?? (name in metrics ? name : undefined);
    if (clash !== undefined) return fail(`${path} and ${clash} would both be the metric "${name}": rename one`);
    carried.set(name, path);
    metrics[name] = numbers.get(path) as number;
  }
  const count = Object.keys(metrics).length;
  if (count > SNAPSHOT_MAX_METRICS) return fail(`holds ${count} numbers; a ModelRelease keeps at most ${SNAPSHOT_MAX_METRICS} metrics: leave some out`);
  return { ok: true, metrics: metrics as MetricsSnapshot };
}

function collectNumbers(object: Record<string, unknown>, prefix: string, depth: number, into: Map<string, number>): string | undefined {
  for (const [key, value] of Object.entries(object)) {
    const path = `${prefix}${key}`;
    if (typeof value === 'number') {
      if (!METRIC_KEY.test(key)) return `key "${path}" cannot be a metric name (letters, digits and "_", starting with a letter)`;
      if (!Number.isFinite(value)) return `${path} must be a finite number`;
      into.set(path, value);
    } else if (isObject(value)) {
      if (depth >= MAX_DEPTH) return `${path} is nested more than ${MAX_DEPTH} objects deep`;
      if (!METRIC_KEY.test(key)) return `key "${path}" cannot start a metric name (letters, digits and "_", starting with a letter)`;
      const problem = collectNumbers(value, `${path}.`, depth + 1, into);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
