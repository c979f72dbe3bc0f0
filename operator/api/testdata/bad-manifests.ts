/**
 * The table of bad ModelRelease manifests: each breaks one rule and names the one error it must produce
 * offline (validate.test.ts) and what the apiserver must say when it rejects it (test/crd-apiserver.test.ts).
 * Built from one good manifest so each entry shows only what is wrong.
 */
import type { ModelRelease } from '../model-release-schema.js';
import { BUILTIN_CHECKS, RELEASE_NAME_MAX_LENGTH, RULES } from '../rules.js';

/** A manifest written as YAML would be: plain JSON values, any shape. */
export type Manifest = Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> };

/** A valid, minimal ModelRelease; each call returns a fresh copy. */
export function goodManifest(name = 'species'): Manifest {
  const release: ModelRelease = {
    apiVersion: 'serving.tern.dev/v1alpha1',
    kind: 'ModelRelease',
    metadata: { name },
    spec: {
      model: {
        name: 'species',
        version: '1.1.0',
        weightsUrl: 'https://models.tern.dev/species/1.1.0/species-1.1.0.onnx',
        sha256: 'a'.repeat(64),
        metrics: { tpr: 0.91, tnr: 0.94, scoreMean: 0.83 },
      },
    },
  };
  return structuredClone(release) as unknown as Manifest;
}

export interface BadManifest {
  /** What is wrong, in words (the test name). */
  name: string;
  manifest: Manifest;
  /** The one offline error: JSON Pointer and message. */
  pointer: string;
  message: string;
  /**
   * Substrings the apiserver's rejection must contain; undefined: the CEL message at the pointer's path
   * (`spec.rollout.steps[1].pause` and the message). null: offline only (the apiserver cannot even route it).
   */
  apiserver?: string[] | null;
}

type Json = Record<string, unknown>;
const bad = (name: string, change: (m: Manifest) => void, pointer: string, message: string, apiserver?: string[] | null): BadManifest => {
  const manifest = goodManifest();
  change(manifest);
  return { name, manifest, pointer, message, ...(apiserver === undefined ? {} : { apiserver }) };
};
const model = (m: Manifest): Json => m.spec.model as Json;
const metrics = (m: Manifest): Json => model(m).metrics as Json;
const rollout = (m: Manifest, value: Json): void => {
  m.spec.rollout = value;
};
const prometheus = { type: 'prometheus', address: 'http://prometheus:9090' };

export const BAD_MANIFESTS: BadManifest[] = [
  // --- metadata (CEL on the root) -------------------------------------------------------------
  bad('upper-case name', (m) => (m.metadata.name = 'Species'), '/metadata/name', RULES.releaseName.message),
  bad(`name longer than ${RELEASE_NAME_MAX_LENGTH}`, (m) => (m.metadata.name = 'a'.repeat(RELEASE_NAME_MAX_LENGTH + 1)), '/metadata/name', RULES.releaseName.message),
  bad('name starting with a digit', (m) => (m.metadata.name = '1species'), '/metadata/name', RULES.releaseName.message),
  // --- spec.model -------------------------------------------------------------------------------
  bad('no model', (m) => delete m.spec.model, '/spec/model', 'is required', ['spec.model: Required value']),
  bad('version not semver', (m) => (model(m).version = '1.0'), '/spec/model/version', 'must be a semantic version such as "1.2.0"', ['spec.model.version', 'should match']),
  bad('s3 weights URL', (m) => (model(m).weightsUrl = 's3://bucket/species.onnx'), '/spec/model/weightsUrl', 'must be an https://, http:// or file:// URL', ['spec.model.weightsUrl', 'should match']),
  bad('upper-case sha256', (m) => (model(m).sha256 = 'A'.repeat(64)), '/spec/model/sha256', 'must be 64 lowercase hex digits', ['spec.model.sha256', 'should match']),
  bad('trainedAt not a date-time', (m) => (model(m).trainedAt = 'yesterday'), '/spec/model/trainedAt', 'must be an RFC 3339 date-time such as "2026-03-01T12:00:00Z"', ['spec.model.trainedAt', 'date-time']),
  bad('tpr above 1', (m) => (metrics(m).tpr = 1.5), '/spec/model/metrics/tpr', 'must be between 0 and 1', ['spec.model.metrics', 'tpr', 'must be between 0 and 1']),
  bad('negative scoreMean', (m) => (metrics(m).scoreMean = -0.1), '/spec/model/metrics/scoreMean', 'must be between 0 and 1', ['spec.model.metrics', 'scoreMean', 'must be between 0 and 1']),
  bad('tnr missing', (m) => delete metrics(m).tnr, '/spec/model/metrics/tnr', 'is required', ['spec.model.metrics.tnr: Required value']),
  bad('extra metric not a number', (m) => (metrics(m).auc = 'high'), '/spec/model/metrics/auc', 'must be number', ['spec.model.metrics.auc', 'must be of type number']),
  bad('unknown field in spec', (m) => (m.spec.modle = {}), '/spec/modle', 'is not a known field', ['unknown field "spec.modle"']),
  // --- spec.serving -----------------------------------------------------------------------------
  bad('zero replicas', (m) => (m.spec.serving = { replicas: 0 }), '/spec/serving/replicas', 'must be >= 1', ['spec.serving.replicas', 'greater than or equal to 1']),
  bad('unknown execution provider', (m) => (m.spec.serving = { executionProvider: 'tpu' }), '/spec/serving/executionProvider', 'must be one of: cpu, cuda, webgpu', ['spec.serving.executionProvider', 'Unsupported value: "tpu"']),
  bad('cuda without a GPU', (m) => (m.spec.serving = { executionProvider: 'cuda' }), '/spec/serving/gpu', RULES.cudaNeedsGpu.message),
  bad('cpu request not a quantity', (m) => (m.spec.serving = { resources: { requests: { cpu: 'lots' } } }), '/spec/serving/resources/requests/cpu', RULES.isQuantity.message, ['spec.serving.resources.requests[cpu]', RULES.isQuantity.message]),
  bad('GPU as a resource limit', (m) => (m.spec.serving = { resources: { limits: { 'nvidia.com/gpu': '1' } } }), '/spec/serving/resources', RULES.gpuNotAResource.message),
  bad('toleration Exists with a value', (m) => (m.spec.serving = { tolerations: [{ key: 'gpu', operator: 'Exists', value: 'yes' }] }), '/spec/serving/tolerations/0/value', RULES.existsTolerationHasNoValue.message),
  bad('duplicate env names', (m) => (m.spec.serving = { env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }), '/spec/serving/env', RULES.namesUnique.message),
  // --- spec.traffic -----------------------------------------------------------------------------
  bad('gatewayAPI settings with the replicas router', (m) => (m.spec.traffic = { gatewayAPI: { hostnames: ['a.example.com'] } }), '/spec/traffic/gatewayAPI', RULES.gatewayAPIOnlyWithItsRouter.message),
  bad('shadow with the replicas router', (m) => rollout(m, { shadow: { mirrorPercent: 10 } }), '/spec/rollout/shadow', RULES.shadowNeedsGatewayAPI.message),
  // --- spec.rollout.staging ---------------------------------------------------------------------
  bad('gate metric without bounds', (m) => rollout(m, { staging: { gates: { metrics: [{ name: 'auc' }] } } }), '/spec/rollout/staging/gates/metrics/0', RULES.minOrMax.message),
  bad('gate metric min above max', (m) => rollout(m, { staging: { gates: { metrics: [{ name: 'auc', min: 0.9, max: 0.8 }] } } }), '/spec/rollout/staging/gates/metrics/0/min', RULES.minAtMostMax.message),
  bad('duplicate gate metrics', (m) => rollout(m, { staging: { gates: { metrics: [{ name: 'auc', min: 0.8 }, { name: 'auc', max: 0.99 }] } } }), '/spec/rollout/staging/gates/metrics', RULES.namesUnique.message),
  bad('soak longer than a week', (m) => rollout(m, { staging: { minDuration: '169h' } }), '/spec/rollout/staging/minDuration', RULES.durationAtMostAWeek.message),
  bad('minTpr above 1', (m) => rollout(m, { staging: { gates: { minTpr: 1.2 } } }), '/spec/rollout/staging/gates/minTpr', 'must be <= 1', ['spec.rollout.staging.gates.minTpr', 'less than or equal to 1']),
  // --- spec.rollout.steps -----------------------------------------------------------------------
  bad('repeated weight', (m) => rollout(m, { steps: [{ setWeight: 5 }, { setWeight: 5 }] }), '/spec/rollout/steps', RULES.stepsIncrease.message),
  bad('decreasing weights', (m) => rollout(m, { steps: [{ setWeight: 50 }, { setWeight: 25 }, { setWeight: 100 }] }), '/spec/rollout/steps', RULES.stepsIncrease.message),
  bad('weight 0', (m) => rollout(m, { steps: [{ setWeight: 0 }, { setWeight: 100 }] }), '/spec/rollout/steps/0/setWeight', 'must be >= 1', ['spec.rollout.steps[0].setWeight', 'greater than or equal to 1']),
  bad('weight 101', (m) => rollout(m, { steps: [{ setWeight: 101 }] }), '/spec/rollout/steps/0/setWeight', 'must be <= 100', ['spec.rollout.steps[0].setWeight', 'less than or equal to 100']),
  bad('no steps', (m) => rollout(m, { steps: [] }), '/spec/rollout/steps', 'must NOT have fewer than 1 items', ['spec.rollout.steps', 'at least 1 items']),
  bad('pause that is not a duration', (m) => rollout(m, { steps: [{ setWeight: 100, pause: '5 minutes' }] }), '/spec/rollout/steps/0/pause', 'must be a duration such as "30s", "5m" or "1h30m"', ['spec.rollout.steps[0].pause', 'should match']),
  bad('pause longer than a week', (m) => rollout(m, { steps: [{ setWeight: 100, pause: '200h' }] }), '/spec/rollout/steps/0/pause', RULES.durationAtMostAWeek.message),
  // --- spec.rollout.analysis --------------------------------------------------------------------
  bad('interval below 1s', (m) => rollout(m, { analysis: { interval: '500ms' } }), '/spec/rollout/analysis/interval', RULES.intervalInRange.message),
  bad('interval above 1h', (m) => rollout(m, { analysis: { interval: '2h', progressDeadline: '3h' } }), '/spec/rollout/analysis/interval', RULES.intervalInRange.message),
  bad('progressDeadline shorter than interval', (m) => rollout(m, { analysis: { interval: '30s', progressDeadline: '10s' } }), '/spec/rollout/analysis/progressDeadline', RULES.deadlineAtLeastInterval.message),
  bad('prometheus without address', (m) => rollout(m, { analysis: { provider: { type: 'prometheus' } } }), '/spec/rollout/analysis/provider/address', RULES.prometheusNeedsAddress.message),
  bad('custom check with the pods provider', (m) => rollout(m, { analysis: { custom: [{ name: 'qps', query: 'up', min: 1 }] } }), '/spec/rollout/analysis/custom', RULES.customNeedsPrometheus.message),
  bad('custom check named like a built-in', (m) => rollout(m, { analysis: { provider: prometheus, custom: [{ name: BUILTIN_CHECKS[1], query: 'up', min: 1 }] } }), '/spec/rollout/analysis/custom/0/name', RULES.customNotBuiltin.message),
  bad('custom check min above max', (m) => rollout(m, { analysis: { provider: prometheus, custom: [{ name: 'qps', query: 'up', min: 2, max: 1 }] } }), '/spec/rollout/analysis/custom/0/min', RULES.minAtMostMax.message),
  bad('custom check without bounds', (m) => rollout(m, { analysis: { provider: prometheus, custom: [{ name: 'qps', query: 'up' }] } }), '/spec/rollout/analysis/custom/0', RULES.minOrMax.message),
  bad('duplicate custom checks', (m) => rollout(m, { analysis: { provider: prometheus, custom: [{ name: 'qps', query: 'up', min: 1 }, { name: 'qps', query: 'up', max: 9 }] } }), '/spec/rollout/analysis/custom', RULES.namesUnique.message),
  bad('p95 bound of 0 seconds', (m) => rollout(m, { analysis: { checks: { latencyP95: { maxSeconds: 0 } } } }), '/spec/rollout/analysis/checks/latencyP95/maxSeconds', 'must be > 0', ['spec.rollout.analysis.checks.latencyP95.maxSeconds', 'greater than 0']),
  bad('unknown onProgressDeadline', (m) => rollout(m, { analysis: { onProgressDeadline: 'Rollback' } }), '/spec/rollout/analysis/onProgressDeadline', 'must be one of: Abort, Pause', ['Unsupported value: "Rollback"']),
  // --- the envelope (offline only: the apiserver does not route these to the CRD) ---------------
  bad('wrong apiVersion', (m) => (m.apiVersion = 'serving.tern.dev/v1'), '/apiVersion', 'must be serving.tern.dev/v1alpha1', null),
  bad('wrong kind', (m) => (m.kind = 'ModelReleases'), '/kind', 'must be ModelRelease', null),
];

/** "/spec/rollout/steps/1/pause" -> "spec.rollout.steps[1].pause", as the apiserver names fields. */
export function apiserverPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
}

/** What the apiserver's rejection of `entry` must contain. */
export function expectedApiserverText(entry: BadManifest): string[] {
  return entry.apiserver ?? [apiserverPath(entry.pointer), entry.message];
}
