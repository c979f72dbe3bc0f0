/**
 * The ModelRelease API (serving.tern.dev/v1alpha1): the one source of truth for its fields.
 *
 * From this TypeBox schema come the TypeScript types (below), the ajv validator used offline by
 * `tern validate`, and the CRD's openAPIV3Schema in crds/modelrelease.yaml (generated; a test
 * fails when it is stale). Write a field here once, with its description, default and limits.
 */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { cel, RULES, type CelRule } from './rules.js';

export const GROUP = 'serving.tern.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'ModelRelease';
export const PLURAL = 'modelreleases';
export const SINGULAR = 'modelrelease';
export const SHORT_NAMES = ['mr'];

/**
 * A Go-style duration as Kubernetes and Argo Rollouts write them: "30s", "5m", "1h30m", "500ms". Numbers are
 * bounded (6 digits, 20 characters in all) so that every match also parses in CEL's duration() without overflow.
 */
export const DURATION_PATTERN = '^([0-9]{1,6}(\\.[0-9]{1,6})?(ms|s|m|h))+$';
export const DURATION_MAX_LENGTH = 20;
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';
export const SHA256_PATTERN = '^[0-9a-f]{64}$';
export const WEIGHTS_URL_PATTERN = '^(https?|file)://.+';

const duration = (description: string, dflt?: string, rule: CelRule = RULES.durationAtMostAWeek) =>
  Type.String({
    pattern: DURATION_PATTERN,
    maxLength: DURATION_MAX_LENGTH,
    description: `${description} A duration such as "30s", "5m" or "1h30m".`,
    ...(dflt === undefined ? {} : { default: dflt }),
    'x-kubernetes-validations': cel(rule),
  });
const ratio = (description: string, dflt?: number) =>
  Type.Number({ minimum: 0, maximum: 1, description, ...(dflt === undefined ? {} : { default: dflt }) });

// ---------------------------------------------------------------------------------------------
// spec.model — one registry.json entry, camelCased.
// ---------------------------------------------------------------------------------------------
const ModelMetricsObject = Type.Object(
  {
    // Ranges are CEL rules (not minimum/maximum): in the CRD this object is a map of numbers, since a
    // structural schema cannot have both properties and additionalProperties.
    tpr: Type.Number({ description: 'True-positive rate on held-out data, 0..1 (the staging gate compares it with rollout.staging.gates.minTpr).' }),
    tnr: Type.Number({ description: 'True-negative rate on held-out data, 0..1 (compared with rollout.staging.gates.minTnr).' }),
    scoreMean: Type.Number({ description: 'Mean target score on held-out data, 0..1: the drift baseline the server compares live scores with.' }),
  },
  {
    additionalProperties: Type.Number({ description: 'Another number of the snapshot (e.g. accuracy, auc).' }),
    maxProperties: 64,
    description:
      'The metrics snapshot recorded when the model was trained (registry field metrics_snapshot, keys camelCased: score_mean -> scoreMean). tpr, tnr and scoreMean (each 0..1) are required; other numbers may be added and used by staging gates (rollout.staging.gates.metrics).',
    'x-kubernetes-validations': cel(RULES.tprIsRatio, RULES.tnrIsRatio, RULES.scoreMeanIsRatio),
  },
);
/** The snapshot's schema, typed so that the extra numbers are visible to TypeScript (metrics[name]). */
export const ModelMetricsSchema = Type.Unsafe<Static<typeof ModelMetricsObject> & { [metric: string]: number }>(ModelMetricsObject);

export const ModelSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 63,
      pattern: '^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$',
      description:
        'The served model name: the registry\'s release_name, else the entry\'s name without its trailing -<version> (entry "species-1.1.0" -> "species"). It stays the same across versions, because clients of both tracks call /v2/models/<name>/infer.',
    }),
    displayName: Type.Optional(Type.String({ maxLength: 256, description: 'A human-readable name for dashboards.' })),
    version: Type.String({ pattern: SEMVER_PATTERN, maxLength: 63, description: 'The model version, semver (e.g. "1.1.0"). Becomes the serving.tern.dev/version label of the pods.' }),
    architecture: Type.Optional(Type.String({ maxLength: 128, description: 'The network architecture, informational (e.g. "mlp-64").' })),
    weightsUrl: Type.String({
      pattern: WEIGHTS_URL_PATTERN,
      maxLength: 2048,
      description: 'Where the server downloads the ONNX weights from: https://, http:// or file://.',
    }),
    sha256: Type.Optional(
      Type.String({
        pattern: SHA256_PATTERN,
        maxLength: 64,
        description:
          'SHA-256 of the weights file, 64 lowercase hex digits. The server refuses to load weights that do not match. A release without a sha256 cannot pass staging unless spec.rollout.staging.allowUnverifiedArtifact is true.',
      }),
    ),
    trainedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the model was trained (RFC 3339, e.g. "2026-03-01T12:00:00Z").' })),
    metrics: ModelMetricsSchema,
  },
  { additionalProperties: false, description: 'The model to release: one entry of models/registry.json. Changing it starts a new release against the current stable model.' },
);

// ---------------------------------------------------------------------------------------------
// spec.serving — how the inference pods run.
// ---------------------------------------------------------------------------------------------
const quantityMap = (description: string) =>
  Type.Optional(
    Type.Record(
      Type.String(),
      Type.String({ maxLength: 64, description: 'A quantity such as 500m, 2 or 512Mi.', 'x-kubernetes-validations': cel(RULES.isQuantity) }),
      { maxProperties: 16, description },
    ),
  );

export const TolerationSchema = Type.Object(
  {
    key: Type.Optional(Type.String({ maxLength: 316, description: 'The taint key to tolerate; empty with operator Exists tolerates every taint.' })),
    operator: Type.Optional(
      Type.Union([Type.Literal('Exists'), Type.Literal('Equal')], { description: 'Equal (the default) matches key and value; Exists matches any value.' }),
    ),
    value: Type.Optional(Type.String({ maxLength: 63, description: 'The taint value (operator Equal).' })),
    effect: Type.Optional(
      Type.Union([Type.Literal('NoSchedule'), Type.Literal('PreferNoSchedule'), Type.Literal('NoExecute')], {
        description: 'The taint effect to tolerate; empty tolerates every effect.',
      }),
    ),
    tolerationSeconds: Type.Optional(Type.Integer({ minimum: 0, description: 'With effect NoExecute: how long the pod stays after the taint appears.' })),
  },
  { additionalProperties: false, description: 'A toleration, as in a pod spec.', 'x-kubernetes-validations': cel(RULES.existsTolerationHasNoValue) },
);

export const EnvVarSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, description: 'Variable name (e.g. TERN_WORKERS).' }),
    value: Type.String({ description: 'Variable value.' }),
  },
  { additionalProperties: false, description: 'An environment variable of the server container.' },
);

export const ServingSchema = Type.Object(
  {
    image: Type.String({ minLength: 1, default: 'ghcr.io/tern-dev/tern-server:0.1.0', description: 'Container image running tern-server.' }),
    replicas: Type.Integer({ minimum: 1, maximum: 1000, default: 2, description: 'Pods per track (stable and candidate each get this many at full weight).' }),
    gpu: Type.Integer({ minimum: 0, maximum: 16, default: 0, description: 'GPUs per pod; becomes the nvidia.com/gpu request and limit.' }),
    resources: Type.Optional(
      Type.Object(
        {
          requests: quantityMap('Resource requests, e.g. {cpu: "500m", memory: "512Mi"}.'),
          limits: quantityMap('Resource limits, e.g. {memory: "1Gi"}.'),
        },
        {
          additionalProperties: false,
          description: 'CPU and memory requests and limits of the server container (GPUs: use gpu).',
          'x-kubernetes-validations': cel(RULES.gpuNotAResource),
        },
      ),
    ),
    nodeSelector: Type.Optional(
      Type.Record(Type.String(), Type.String({ maxLength: 63, description: 'Label value.' }), {
        maxProperties: 32,
        description: 'Node labels the pods must run on (e.g. a GPU node pool).',
      }),
    ),
    tolerations: Type.Optional(Type.Array(TolerationSchema, { maxItems: 32, description: 'Tolerations for tainted (e.g. GPU) nodes, as in a pod spec.' })),
    executionProvider: Type.Union([Type.Literal('cpu'), Type.Literal('cuda'), Type.Literal('webgpu')], {
      default: 'cpu',
      description:
        'onnxruntime execution provider. A GPU provider that is missing on the node falls back to cpu (visible in the tern_server_model_info metric). cuda needs gpu >= 1.',
    }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 8080, description: 'The port tern-server listens on in the pod.' }),
    maxBatchSize: Type.Integer({ minimum: 1, maximum: 4096, default: 64, description: 'Dynamic batching: most inputs in one inference run.' }),
    maxBatchDelayMs: Type.Number({ minimum: 0, maximum: 1000, default: 2, description: 'Dynamic batching: longest wait for a batch to fill, in milliseconds.' }),
    rejectionThreshold: Type.Optional(ratio('Inputs whose target score is below this are answered as rejections ("not a target"); 0 accepts everything.')),
    env: Type.Optional(
      Type.Array(EnvVarSchema, {
        maxItems: 64,
        description: 'Extra environment variables for the server container; names must be unique.',
        'x-kubernetes-validations': cel(RULES.namesUnique),
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'How the inference pods of both tracks run.',
    'x-kubernetes-validations': cel(RULES.cudaNeedsGpu),
  },
);

// ---------------------------------------------------------------------------------------------
// spec.traffic — how weights reach live traffic.
// ---------------------------------------------------------------------------------------------
export const ParentRefSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the Gateway.' }),
    namespace: Type.Optional(Type.String({ maxLength: 63, description: 'Namespace of the Gateway; defaults to the release\'s namespace.' })),
    sectionName: Type.Optional(Type.String({ maxLength: 253, description: 'A listener of the Gateway.' })),
  },
  { additionalProperties: false, description: 'A Gateway the HTTPRoute attaches to.' },
);

export const TrafficSchema = Type.Object(
  {
    router: Type.Union([Type.Literal('replicas'), Type.Literal('gatewayAPI')], {
      default: 'replicas',
      description:
        'replicas: no mesh needed; the weight becomes the candidate\'s share of ready pods behind the release Service (granularity 1/pods). gatewayAPI: the weights of an HTTPRoute\'s backendRefs (exact percentages; RequestMirror for shadow).',
    }),
    serviceName: Type.Optional(Type.String({ maxLength: 63, description: 'The Service clients call; defaults to the release name.' })),
    gatewayAPI: Type.Optional(
      Type.Object(
        {
          httpRouteName: Type.Optional(
            Type.String({ maxLength: 253, description: 'HTTPRoute to create or adopt; defaults to the release name. Fields and annotations owned by others are kept.' }),
          ),
          parentRefs: Type.Optional(Type.Array(ParentRefSchema, { maxItems: 16, description: 'Gateways the route attaches to (when Tern creates the route).' })),
          hostnames: Type.Optional(
            Type.Array(Type.String({ maxLength: 253, description: 'A hostname, e.g. species.example.com.' }), {
              maxItems: 16,
              description: 'Hostnames of the route (when Tern creates it).',
            }),
          ),
        },
        { additionalProperties: false, description: 'Settings for router gatewayAPI (only allowed with it).' },
      ),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'How traffic is split between the stable and the candidate track.',
    'x-kubernetes-validations': cel(RULES.gatewayAPIOnlyWithItsRouter),
  },
);

// ---------------------------------------------------------------------------------------------
// spec.rollout — staging gates, shadow, canary steps, analysis.
// ---------------------------------------------------------------------------------------------
export const GoldenQuerySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 63, description: 'Name shown in events and status when the query fails.' })),
    input: Type.Array(Type.Number({ description: 'One feature value.' }), { minItems: 1, maxItems: 4096, description: 'One feature vector.' }),
    expectClassIndex: Type.Optional(Type.Integer({ minimum: 0, description: 'The class the candidate must predict.' })),
    expectLabel: Type.Optional(Type.String({ maxLength: 256, description: 'The label the candidate must predict.' })),
    minConfidence: Type.Optional(ratio('The least confidence the prediction must have.')),
  },
  { additionalProperties: false, description: 'A request sent to the candidate in staging and what its answer must be.' },
);

export const GateMetricSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63, description: 'A key of spec.model.metrics (e.g. "auc").' }),
    min: Type.Optional(Type.Number({ description: 'The gate fails below this.' })),
    max: Type.Optional(Type.Number({ description: 'The gate fails above this.' })),
  },
  {
    additionalProperties: false,
    description: 'A gate on one number of the metrics snapshot; set min, max or both (min <= max). A missing metric fails the gate.',
    'x-kubernetes-validations': cel(RULES.minOrMax, RULES.minAtMostMax),
  },
);

export const StagingSchema = Type.Object(
  {
    gates: Type.Object(
      {
        minTpr: ratio('Least spec.model.metrics.tpr that may leave staging.', 0.85),
        minTnr: ratio('Least spec.model.metrics.tnr that may leave staging.', 0.9),
        metrics: Type.Optional(
          Type.Array(GateMetricSchema, {
            maxItems: 32,
            description: 'More gates on named numbers of the metrics snapshot, each with a min and/or max; names must be unique.',
            'x-kubernetes-validations': cel(RULES.namesUnique),
          }),
        ),
      },
      { additionalProperties: false, default: {}, description: 'Offline gates on the metrics snapshot.' },
    ),
    goldenQueries: Type.Optional(Type.Array(GoldenQuerySchema, { maxItems: 100, description: 'Requests sent to the candidate in staging; every expectation must hold.' })),
    minDuration: duration('Least time in staging once the candidate is ready (soak), at most 168h.', '0s'),
    allowUnverifiedArtifact: Type.Boolean({
      default: false,
      description:
        'Let a model without spec.model.sha256 pass staging. Off by default: weights that cannot be verified are not released (the registry allows sha256: null, the release does not unless this is true).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'The candidate runs with no live traffic until these pass.' },
);

export const ShadowSchema = Type.Object(
  {
    mirrorPercent: Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'Share of live requests copied to the candidate; its responses are dropped.' }),
    duration: duration('How long the shadow step lasts, at most 168h.', '1m'),
  },
  {
    additionalProperties: false,
    description: 'Optional step between staging and the canary: mirror traffic to the candidate. Needs traffic.router gatewayAPI.',
  },
);

export const StepSchema = Type.Object(
  {
    setWeight: Type.Integer({ minimum: 1, maximum: 100, description: 'Percent of live traffic to the candidate at this step, 1..100.' }),
    pause: Type.Optional(duration('How long to hold the step while analysis runs, at most 168h. Without pause the step waits for `tern promote`.')),
  },
  { additionalProperties: false, description: 'One canary step.' },
);

export const DEFAULT_STEPS = [
  { setWeight: 1, pause: '1m' },
  { setWeight: 5, pause: '1m' },
  { setWeight: 25, pause: '2m' },
  { setWeight: 50, pause: '2m' },
  { setWeight: 100, pause: '1m' },
];

const thresholdCheck = <P extends TProperties>(description: string, props: P) =>
  Type.Object(
    { enabled: Type.Boolean({ default: true, description: 'Run this check.' }), ...props },
    { additionalProperties: false, default: {}, description },
  );

export const ChecksSchema = Type.Object(
  {
    drift: thresholdCheck('Fails when the server\'s drift alarm is active or the live score mean drops this far below the baseline (spec.model.metrics.scoreMean).', {
      maxScoreDrop: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'Greatest allowed baseline - live score mean.' }),
    }),
    availability: thresholdCheck('Fails when the share of successful (non-5xx) requests is below min.', {
      min: ratio('Least success ratio.', 0.95),
    }),
    latencyP95: thresholdCheck('Fails when the 95th percentile request latency, aggregated across pods, is above maxSeconds.', {
      maxSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 2, description: 'Greatest p95 latency in seconds.' }),
    }),
    errorRate: thresholdCheck('Fails when the share of 5xx responses is above max.', { max: ratio('Greatest 5xx share.', 0.05) }),
    rejectionRatio: thresholdCheck('Fails when the share of inputs rejected as "not a target" is above max.', {
      max: ratio('Greatest rejection share.', 0.5),
    }),
    relativeToStable: Type.Boolean({
      default: false,
      description: 'Judge built-in checks on candidate minus stable instead of the candidate alone (needs live stable traffic).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Built-in checks, with the runbook\'s thresholds as defaults.' },
);

export const CustomCheckSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 63,
      pattern: '^[a-z][a-zA-Z0-9-]*$',
      description: 'Name shown in status and metrics; unique, and not one of the built-in checks.',
    }),
    query: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'PromQL returning one number. {{release}}, {{namespace}} and {{track}} are replaced before the query runs.',
    }),
    min: Type.Optional(Type.Number({ description: 'The check fails below this.' })),
    max: Type.Optional(Type.Number({ description: 'The check fails above this.' })),
  },
  {
    additionalProperties: false,
    description: 'A PromQL check; set min, max or both (min <= max).',
    'x-kubernetes-validations': cel(RULES.minOrMax, RULES.minAtMostMax, RULES.customNotBuiltin),
  },
);

export const ProviderSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('pods'), Type.Literal('prometheus')], {
      default: 'pods',
      description: 'pods: scrape the pods\' /metrics directly (no Prometheus needed). prometheus: instant queries against address.',
    }),
    address: Type.Optional(
      Type.String({ pattern: '^https?://.+', maxLength: 2048, description: 'Prometheus HTTP API base URL, e.g. http://prometheus.monitoring:9090 (type prometheus).' }),
    ),
  },
  { additionalProperties: false, default: {}, description: 'Where measurements come from.', 'x-kubernetes-validations': cel(RULES.prometheusNeedsAddress) },
);

export const AnalysisSchema = Type.Object(
  {
    provider: ProviderSchema,
    interval: duration('Time between measurements, 1s..1h.', '10s', RULES.intervalInRange),
    failureLimit: Type.Integer({ minimum: 0, maximum: 100, default: 0, description: 'Failed measurements tolerated; one more rolls back.' }),
    minSampleCount: Type.Integer({ minimum: 1, maximum: 1000000, default: 20, description: 'Fewest requests in a measurement window; fewer is Inconclusive.' }),
    successCount: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'Consecutive successful measurements needed before a step may advance.' }),
    progressDeadline: duration('How long a step may be held by Inconclusive or Error measurements; at least interval, at most 168h.', '10m'),
    onProgressDeadline: Type.Union([Type.Literal('Abort'), Type.Literal('Pause')], {
      default: 'Pause',
      description: 'What happens when a step is held past progressDeadline: roll back (Abort), or pause for a person (Pause).',
    }),
    checks: ChecksSchema,
    custom: Type.Optional(
      Type.Array(CustomCheckSchema, {
        maxItems: 32,
        description: 'Your own PromQL checks (provider prometheus); names must be unique.',
        'x-kubernetes-validations': cel(RULES.namesUnique),
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'How each step is judged.',
    'x-kubernetes-validations': cel(RULES.deadlineAtLeastInterval, RULES.customNeedsPrometheus),
  },
);

export const RolloutSchema = Type.Object(
  {
    staging: StagingSchema,
    shadow: Type.Optional(ShadowSchema),
    steps: Type.Array(StepSchema, {
      minItems: 1,
      maxItems: 50,
      default: DEFAULT_STEPS,
      description:
        'Canary steps (default 1, 5, 25, 50, 100 %); setWeight strictly increases within 1..100. After the last step the candidate is promoted.',
      'x-kubernetes-validations': cel(RULES.stepsIncrease),
    }),
    analysis: AnalysisSchema,
    bakeTime: duration(
      'How long a promoted model stays under analysis (the same checks as a canary step, on the stable track) while the previous model is kept warm (1 pod) for an instant rollback; "0s" turns the bake off. At most 168h.',
      '30m',
    ),
    productionInterval: duration(
      'After the bake, the stable model keeps being measured with the same checks on this slower interval (the production watch); "0s" turns it off. At most 168h.',
      '1m',
    ),
    onProductionAlarm: Type.Union([Type.Literal('alert'), Type.Literal('rollback')], {
      default: 'alert',
      description:
        'What a failing production watch does: alert (Degraded condition, a Warning event, tern_production_alarms_total; traffic stays) or rollback (a fast restore of status.previousStable, when one is known; else alert).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'How a new model goes from staging through canary to production.' },
);

export const ModelReleaseSpecSchema = Type.Object(
  {
    model: ModelSchema,
    serving: Type.Optional(ServingSchema),
    traffic: Type.Optional(TrafficSchema),
    rollout: Type.Optional(RolloutSchema),
  },
  {
    additionalProperties: false,
    description: 'What to serve and how to release it.',
    'x-kubernetes-validations': cel(RULES.shadowNeedsGatewayAPI),
  },
);

// ---------------------------------------------------------------------------------------------
// status — written only by the operator, through the /status subresource.
// ---------------------------------------------------------------------------------------------
export const PHASES = ['Pending', 'Staging', 'Canary', 'Paused', 'Promoting', 'Healthy', 'RolledBack', 'Failed'] as const;
export type Phase = (typeof PHASES)[number];
export const OUTCOMES = ['Successful', 'Failed', 'Inconclusive', 'Error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** `node` (a TypeBox tree) without defaults and CEL rules: status copies of spec sections are written whole by the operator. */
function withoutDefaults<T>(node: T): T {
  if (Array.isArray(node)) return node.map((n: unknown) => withoutDefaults(n)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(node)) {
    if (key === 'default' || key === 'x-kubernetes-validations') continue;
    out[key] = withoutDefaults((node as Record<string | symbol, unknown>)[key]);
  }
  return out as T;
}

/** The serving config a track's pods run: spec.serving without replicas (docs/serving-changes.md). */
export const PodServingSchema = Type.Omit(withoutDefaults(ServingSchema), ['replicas'], {
  description:
    'The spec.serving this model\'s pods run with (every field but replicas, which applies directly). A change of it is released like a model change: the stable track keeps this config while the candidate runs the new one.',
});

export const ModelRefSchema = Type.Object(
  {
    name: Type.String({ description: 'Model family name (spec.model.name when it was released).' }),
    version: Type.String({ description: 'Model version.' }),
    weightsUrl: Type.Optional(Type.String({ description: 'Where its weights came from.' })),
    sha256: Type.Optional(Type.String({ description: 'SHA-256 of its weights, when known.' })),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'When it took this role.' })),
    baselineScore: Type.Optional(Type.Number({ description: 'The drift baseline its pods run with (the model\'s metrics.scoreMean).' })),
    serving: Type.Optional(PodServingSchema),
    change: Type.Optional(Type.String({ description: 'What its release changed against the stable it replaced, e.g. "serving: rejectionThreshold 0.5 -> 0.9" or "model 1.0.0 -> 1.1.0".' })),
  },
  { description: 'A model as the operator runs it.' },
);

export const ConditionSchema = Type.Object(
  {
    type: Type.String({ description: 'Ready (stable serving), Progressing (a release in flight), Degraded (last release rolled back or a check failing) or Synced (False when the last reconcile pass failed: OwnershipConflict, OwnedObjectContested, the API reason such as Forbidden, or ReconcileError; set once a pass has failed).' }),
    status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')], { description: 'True, False or Unknown.' }),
    reason: Type.String({ description: 'CamelCase reason.' }),
    message: Type.String({ description: 'A sentence for a person: what happened, what to do next.' }),
    lastTransitionTime: Type.String({ format: 'date-time', description: 'When status last changed.' }),
    observedGeneration: Type.Optional(Type.Integer({ description: 'metadata.generation the condition was computed from.' })),
  },
  { description: 'A Kubernetes-style condition.' },
);

export const CheckResultSchema = Type.Object(
  {
    name: Type.String({ description: 'Check name (a built-in or a custom check).' }),
    track: Type.String({ description: 'The track measured: canary or stable.' }),
    outcome: Type.Union(
      OUTCOMES.map((o) => Type.Literal(o)),
      { description: 'Successful, Failed, Inconclusive (not enough data: holds the step) or Error (the measurement itself failed).' },
    ),
    value: Type.Optional(Type.Number({ description: 'The measured value.' })),
    threshold: Type.Optional(Type.String({ description: 'The bound, as text (e.g. ">= 0.95").' })),
    message: Type.Optional(Type.String({ description: 'Why, in a sentence.' })),
    measuredAt: Type.String({ format: 'date-time', description: 'When the measurement was taken.' }),
    consecutiveSuccesses: Type.Optional(Type.Integer({ description: 'Successful measurements in a row at this step.' })),
    failures: Type.Optional(Type.Integer({ description: 'Failed measurements at this step (compared with analysis.failureLimit).' })),
  },
  { description: 'The last measurement of one check.' },
);

/** Bounds of the release record (status.stepRecords and history[].steps) that keep the object small. */
export const RECORD_STEPS_LIMIT = 12;
export const RECORD_CHECKS_LIMIT = 40;
/** Only the newest RECORDED_RELEASES history entries keep their steps; older ones keep the outcome. */
export const RECORDED_RELEASES = 5;

export const CheckRecordSchema = Type.Object(
  {
    name: Type.String({ description: 'Check name.' }),
    track: Type.String({ description: 'The track measured: canary or stable.' }),
    outcome: Type.Union(
      OUTCOMES.map((o) => Type.Literal(o)),
      { description: 'The last outcome: Successful, Failed, Inconclusive or Error.' },
    ),
    value: Type.Optional(Type.Number({ description: 'The last measured value.' })),
    threshold: Type.Optional(Type.String({ description: 'The bound, as text (e.g. ">= 0.95").' })),
  },
  { description: 'A check\'s last measurement in a step.' },
);

export const StepRecordSchema = Type.Object(
  {
    step: Type.Optional(Type.Integer({ minimum: 1, description: 'The step, counted from 1 (spec.rollout.steps); absent for the shadow step.' })),
    weight: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent of live traffic the candidate got (for the shadow step: mirrored to it).' }),
    shadow: Type.Optional(Type.Boolean({ description: 'True for the shadow step.' })),
    startedAt: Type.String({ format: 'date-time', description: 'When the step started (or was last resumed).' }),
    seconds: Type.Number({ minimum: 0, description: 'How long the step lasted, in seconds.' }),
    checks: Type.Array(CheckRecordSchema, { maxItems: RECORD_CHECKS_LIMIT, description: 'Each check\'s last value, threshold and outcome in the step.' }),
  },
  { description: 'One finished canary or shadow step.' },
);

export const HistoryEntrySchema = Type.Object(
  {
    version: Type.String({ description: 'The candidate model version.' }),
    outcome: Type.Union([Type.Literal('Promoted'), Type.Literal('RolledBack'), Type.Literal('Superseded'), Type.Literal('Failed')], {
      description: 'Promoted, RolledBack, Superseded (spec.model changed mid-release) or Failed.',
    }),
    startedAt: Type.String({ format: 'date-time', description: 'When the release started.' }),
    finishedAt: Type.String({ format: 'date-time', description: 'When it ended.' }),
    reason: Type.Optional(Type.String({ description: 'Why it ended so (e.g. the failing check).' })),
    change: Type.Optional(Type.String({ description: 'What the release changed, e.g. "serving: rejectionThreshold 0.5 -> 0.9" (a serving change keeps the version).' })),
    steps: Type.Optional(
      Type.Array(StepRecordSchema, {
        maxItems: RECORD_STEPS_LIMIT,
        description: `Its canary and shadow steps (the last ${RECORD_STEPS_LIMIT}), on the newest ${RECORDED_RELEASES} entries only.`,
      }),
    ),
    failedCheck: Type.Optional({ ...CheckRecordSchema, description: 'For a rollback on analysis: the failing check with its value and threshold.' }),
  },
  { description: 'One past release.' },
);

export const HISTORY_LIMIT = 20;

export const BakeSchema = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'When the bake started (the promotion).' }),
    until: Type.String({ format: 'date-time', description: 'When it ends if analysis keeps passing (since + spec.rollout.bakeTime).' }),
    warmReplicas: Type.Integer({ minimum: 0, description: 'Pods of status.previousStable kept ready on the previous track during the bake.' }),
  },
  { description: 'A bake in progress: status.stable is analysed like a canary step and status.previousStable stays warm.' },
);

export const RestoreSchema = Type.Object(
  {
    from: Type.String({ description: 'The model version traffic was taken from.' }),
    reason: Type.String({ description: 'Why: the failing check of the bake, GitOpsRevert or Undo.' }),
    since: Type.String({ format: 'date-time', description: 'When the restore started.' }),
    warm: Type.Boolean({ description: 'Whether the restored model had warm pods (traffic moved at once) or had to start them.' }),
    trafficMovedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When live traffic was put on the restored model.' })),
  },
  { description: 'A fast restore in progress: status.stable (the restored model) takes traffic on the previous track while the stable track is rebuilt.' },
);

export const ProductionAlarmSchema = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'When the production watch first failed.' }),
    check: Type.String({ description: 'The failing check.' }),
    message: Type.String({ description: 'The check, its value and threshold, in a sentence.' }),
  },
  { description: 'The production watch is failing on the stable model (onProductionAlarm alert); cleared when the checks pass again.' },
);

export const LastRestoreSchema = Type.Object(
  {
    from: Type.String({ description: 'The model version traffic was taken from.' }),
    to: Type.String({ description: 'The model version restored.' }),
    reason: Type.String({ description: 'The failing check of the bake, GitOpsRevert or Undo.' }),
    startedAt: Type.String({ format: 'date-time', description: 'When the restore started.' }),
    trafficMovedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When all live traffic was on the restored model.' })),
    finishedAt: Type.String({ format: 'date-time', description: 'When the stable track ran the restored model on every pod.' }),
  },
  { description: 'The last fast restore (bake rollback, GitOps revert or `tern undo` after a promotion).' },
);

export const ModelReleaseStatusSchema = Type.Object(
  {
    phase: Type.Optional(
      Type.Union(
        PHASES.map((p) => Type.Literal(p)),
        { description: 'Pending, Staging, Canary, Paused, Promoting, Healthy, RolledBack or Failed.' },
      ),
    ),
    message: Type.Optional(Type.String({ description: 'What is happening, in a sentence.' })),
    observedGeneration: Type.Optional(Type.Integer({ description: 'The metadata.generation the operator last acted on.' })),
    stable: Type.Optional(ModelRefSchema),
    candidate: Type.Optional(ModelRefSchema),
    currentStep: Type.Optional(Type.Integer({ description: 'Index into spec.rollout.steps of the step in force.' })),
    canaryWeight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Percent of live traffic the candidate gets now.' })),
    mirrorPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Share of live traffic mirrored to the candidate (shadow step).' })),
    lastVerdict: Type.Optional(Type.String({ description: 'The last analysis verdict of the step in force: Advance, Wait, Hold or Fail.' })),
    heldSince: Type.Optional(Type.String({ format: 'date-time', description: 'Since when analysis has held the step (Inconclusive/Error); cleared when it passes.' })),
    lastCommandNonce: Type.Optional(Type.String({ description: 'Nonce of the last handled serving.tern.dev/command annotation (tern promote, abort, retry, pause, resume).' })),
    phaseSince: Type.Optional(Type.String({ format: 'date-time', description: 'When the phase was entered.' })),
    stepSince: Type.Optional(Type.String({ format: 'date-time', description: 'When the current step was entered.' })),
    conditions: Type.Optional(Type.Array(ConditionSchema, { description: 'Ready, Progressing and Degraded; Synced once a reconcile pass has failed.' })),
    analysis: Type.Optional(Type.Array(CheckResultSchema, { description: 'The last measurement of each check.' })),
    stepRecords: Type.Optional(
      Type.Array(StepRecordSchema, { maxItems: RECORD_STEPS_LIMIT, description: 'The steps the release in flight has finished; they move into its history entry when it ends.' }),
    ),
    history: Type.Optional(Type.Array(HistoryEntrySchema, { maxItems: HISTORY_LIMIT, description: 'Past releases, newest first.' })),
    previousStable: Type.Optional({
      ...ModelRefSchema,
      description: 'The model that was stable before status.stable: spec.model changed back to it (or `tern undo`) restores it without staging or canary steps.',
    }),
    bake: Type.Optional(BakeSchema),
    restore: Type.Optional(RestoreSchema),
    lastRestore: Type.Optional(LastRestoreSchema),
    productionAlarm: Type.Optional(ProductionAlarmSchema),
  },
  { description: 'Observed state, written by tern-operator.' },
);

export type ModelMetrics = Static<typeof ModelMetricsSchema>;
export type Model = Static<typeof ModelSchema>;
export type Serving = Static<typeof ServingSchema>;
export type PodServing = Static<typeof PodServingSchema>;
export type Traffic = Static<typeof TrafficSchema>;
export type Step = Static<typeof StepSchema>;
export type Staging = Static<typeof StagingSchema>;
export type Analysis = Static<typeof AnalysisSchema>;
export type Checks = Static<typeof ChecksSchema>;
export type CustomCheck = Static<typeof CustomCheckSchema>;
export type Rollout = Static<typeof RolloutSchema>;
export type ModelReleaseSpec = Static<typeof ModelReleaseSpecSchema>;
export type ModelReleaseStatus = Static<typeof ModelReleaseStatusSchema>;
export type Condition = Static<typeof ConditionSchema>;
export type CheckResult = Static<typeof CheckResultSchema>;
export type HistoryEntry = Static<typeof HistoryEntrySchema>;
export type StepRecord = Static<typeof StepRecordSchema>;
export type CheckRecord = Static<typeof CheckRecordSchema>;
export type ModelRef = Static<typeof ModelRefSchema>;
export type Bake = Static<typeof BakeSchema>;
export type Restore = Static<typeof RestoreSchema>;
export type LastRestore = Static<typeof LastRestoreSchema>;

export interface ModelRelease {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
  };
  spec: ModelReleaseSpec;
  status?: ModelReleaseStatus;
}
