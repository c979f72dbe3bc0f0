/**
 * Reading spec.rollout.analysis of a ModelRelease: defaults filled from the schema, the list of checks
 * that run, and the baseline the drift check compares with.
 */
import { Value } from '@sinclair/typebox/value';
import { AnalysisSchema, type Analysis, type ModelRelease } from '../api/model-release-schema.js';

/** The built-in checks, in the order they are reported. */
export const BUILT_IN_CHECKS = ['drift', 'availability', 'latencyP95', 'errorRate', 'rejectionRatio'] as const;
export type BuiltInCheck = (typeof BUILT_IN_CHECKS)[number];

/**
 * spec.rollout.analysis with every default of the schema filled in (the API server does the same
 * through the CRD's structural defaults; this keeps objects built in tests or read offline complete).
 */
export function analysisOf(release: ModelRelease): Analysis {
  return withDefaults(release.spec.rollout?.analysis);
}

/** A (possibly partial) analysis spec with the schema's defaults filled in; the input is not changed. */
export function withDefaults(analysis: Partial<Analysis> | undefined): Analysis {
  return Value.Default(AnalysisSchema, structuredClone(analysis ?? {})) as Analysis;
}

/**
 * The built-in checks' settings, typed. The schema builds them with a helper whose props are a plain
 * Record<string, TSchema>, so Static<> keeps only `enabled`; the defaults (withDefaults) fill the rest.
 */
export interface BuiltInChecksSpec {
  drift: { enabled: boolean; maxScoreDrop: number };
  availability: { enabled: boolean; min: number };
  latencyP95: { enabled: boolean; maxSeconds: number };
  errorRate: { enabled: boolean; max: number };
  rejectionRatio: { enabled: boolean; max: number };
  relativeToStable: boolean;
}

/** The typed built-in check settings of an analysis spec with defaults filled in. */
export function checksOf(analysis: Analysis): BuiltInChecksSpec {
  return analysis.checks as unknown as BuiltInChecksSpec;
}

/** The enabled built-in checks. */
export function enabledBuiltIns(analysis: Analysis): BuiltInCheck[] {
  return BUILT_IN_CHECKS.filter((name) => analysis.checks[name].enabled);
}

/** Names of every check that runs: enabled built-ins, then custom checks. */
export function enabledCheckNames(analysis: Analysis): string[] {
  return [...enabledBuiltIns(analysis), ...(analysis.custom ?? []).map((c) => c.name)];
}

/** The drift baseline: the model's recorded mean target score (spec.model.metrics.scoreMean). */
export function baselineOf(release: ModelRelease): number | undefined {
  const value = release.spec.model.metrics.scoreMean;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** spec.rollout.analysis.interval as text ("10s"); the schema's duration helper types it loosely. */
export function intervalOf(analysis: Analysis): string {
  const value: unknown = analysis.interval;
  return typeof value === 'string' ? value : '10s';
}
