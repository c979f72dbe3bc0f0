/**
 * The ModelRelease rules a plain JSON Schema cannot say, written once each: the CEL text the apiserver
 * evaluates (`x-kubernetes-validations` in crds/modelrelease.yaml) beside a TypeScript twin that
 * `tern validate` evaluates offline. Both see the object after defaulting, report the same message at
 * the same field, and rules.test.ts checks that every rule in the schema has its twin here.
 */
import { parseDurationMs } from './duration.js';
import { isQuantity } from './quantity.js';

// The shapes the predicates read. Deliberately local (not the schema's Static types): the schema imports
// this table, and a type cycle through it would make both untyped.
interface MinMax { min?: number; max?: number }
interface Named { name: string }
interface Step { setWeight: number }
interface Provider { type?: string; address?: string }
interface Analysis { provider?: Provider; interval?: string; progressDeadline?: string; custom?: unknown[] }
interface Metrics { tpr?: number; tnr?: number; scoreMean?: number }
interface Serving { executionProvider?: string; gpu?: number }
interface Traffic { router?: string; gatewayAPI?: unknown }
interface Spec { traffic?: Traffic; rollout?: { shadow?: unknown } }

/** One CEL validation rule and its offline twin. */
export interface CelRule {
  /** CEL expression; `self` is the schema node the rule is attached to. */
  readonly rule: string;
  /** What is wrong and how to fix it; the same text online and offline. */
  readonly message: string;
  /** Where the error is reported, relative to the node (".address"); the node itself when absent. */
  readonly fieldPath?: string;
  /** The same rule in TypeScript: true when `self` is valid. */
  readonly holds: (self: unknown) => boolean;
}

/** The form the rule takes inside a CRD schema (`x-kubernetes-validations` entry). */
export interface CelValidation {
  rule: string;
  message: string;
  fieldPath?: string;
}

function define<T>(rule: { rule: string; message: string; fieldPath?: string; holds: (self: T) => boolean }): CelRule {
  return rule as unknown as CelRule;
}

/** A DNS-1035 label short enough that names derived from it ("<name>-canary") stay valid Service names. */
export const RELEASE_NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
export const RELEASE_NAME_MAX_LENGTH = 52;
export const BUILTIN_CHECKS = ['drift', 'availability', 'latencyP95', 'errorRate', 'rejectionRatio'] as const;

const HOUR_MS = 3_600_000;
const WEEK_MS = 168 * HOUR_MS;
const has = (value: unknown): boolean => value !== undefined && value !== null;
const ratioOk = (value: number | undefined): boolean => value === undefined || (value >= 0 && value <= 1);
const namesUnique = (items: Named[]): boolean => new Set(items.map((i) => i.name)).size === items.length;
/** An unparsable duration is the pattern's error, not this rule's (CEL would not get that far either). */
const durationHolds = (text: string, ok: (ms: number) => boolean): boolean => {
  const ms = parseDurationMs(text);
  return ms === undefined || ok(ms);
};

/** Every CEL rule of the ModelRelease API, by name. */
export const RULES = {
  releaseName: define<{ metadata: { name?: string } }>({
    rule: `self.metadata.name.matches('${RELEASE_NAME_PATTERN}') && size(self.metadata.name) <= ${RELEASE_NAME_MAX_LENGTH}`,
    message: `must be a DNS-1035 label of at most ${RELEASE_NAME_MAX_LENGTH} characters (lowercase letters, digits and '-', starting with a letter): Services and Deployments are named after it`,
    fieldPath: '.metadata.name',
    holds: (self) => {
      const name = self.metadata.name ?? '';
      return new RegExp(RELEASE_NAME_PATTERN).test(name) && name.length <= RELEASE_NAME_MAX_LENGTH;
    },
  }),
  shadowNeedsGatewayAPI: define<Spec>({
    rule: "!has(self.rollout) || !has(self.rollout.shadow) || (has(self.traffic) && self.traffic.router == 'gatewayAPI')",
    message: 'shadow needs traffic.router gatewayAPI: the replicas router cannot mirror requests',
    fieldPath: '.rollout.shadow',
    holds: (self) => !has(self.rollout?.shadow) || self.traffic?.router === 'gatewayAPI',
  }),
  tprIsRatio: define<Metrics>({
    rule: '!has(self.tpr) || (self.tpr >= 0.0 && self.tpr <= 1.0)',
    message: 'must be between 0 and 1',
    fieldPath: '.tpr',
    holds: (self) => ratioOk(self.tpr),
  }),
  tnrIsRatio: define<Metrics>({
    rule: '!has(self.tnr) || (self.tnr >= 0.0 && self.tnr <= 1.0)',
    message: 'must be between 0 and 1',
    fieldPath: '.tnr',
    holds: (self) => ratioOk(self.tnr),
  }),
  scoreMeanIsRatio: define<Metrics>({
    rule: '!has(self.scoreMean) || (self.scoreMean >= 0.0 && self.scoreMean <= 1.0)',
    message: 'must be between 0 and 1',
    fieldPath: '.scoreMean',
    holds: (self) => ratioOk(self.scoreMean),
  }),
  cudaNeedsGpu: define<Serving>({
    rule: "!has(self.executionProvider) || self.executionProvider != 'cuda' || (has(self.gpu) && self.gpu >= 1)",
    message: 'executionProvider cuda needs gpu >= 1 (without a GPU the server would silently run on cpu)',
    fieldPath: '.gpu',
    holds: (self) => self.executionProvider !== 'cuda' || (self.gpu ?? 0) >= 1,
  }),
  isQuantity: define<string>({
    rule: 'isQuantity(self)',
    message: 'must be a quantity such as 500m, 2 or 512Mi',
    // CEL's isQuantity is apimachinery's ParseQuantity, which quantity.ts ports (no regular expression is as exact).
    holds: (self) => isQuantity(self),
  }),
  gpuNotAResource: define<{ requests?: Record<string, string>; limits?: Record<string, string> }>({
    rule: "(!has(self.requests) || !('nvidia.com/gpu' in self.requests)) && (!has(self.limits) || !('nvidia.com/gpu' in self.limits))",
    message: 'set GPUs with spec.serving.gpu, not as nvidia.com/gpu in resources',
    holds: (self) => !has(self.requests?.['nvidia.com/gpu']) && !has(self.limits?.['nvidia.com/gpu']),
  }),
  existsTolerationHasNoValue: define<{ operator?: string; value?: string }>({
    rule: "!has(self.operator) || self.operator != 'Exists' || !has(self.value)",
    message: 'a toleration with operator Exists takes no value',
    fieldPath: '.value',
    holds: (self) => self.operator !== 'Exists' || !has(self.value),
  }),
  gatewayAPIOnlyWithItsRouter: define<Traffic>({
    rule: "!has(self.gatewayAPI) || (has(self.router) && self.router == 'gatewayAPI')",
    message: 'gatewayAPI settings need router gatewayAPI',
    fieldPath: '.gatewayAPI',
    holds: (self) => !has(self.gatewayAPI) || self.router === 'gatewayAPI',
  }),
  minOrMax: define<MinMax>({
    rule: 'has(self.min) || has(self.max)',
    message: 'set min, max or both',
    holds: (self) => has(self.min) || has(self.max),
  }),
  minAtMostMax: define<MinMax>({
    rule: '!has(self.min) || !has(self.max) || self.min <= self.max',
    message: 'min must not exceed max',
    fieldPath: '.min',
    holds: (self) => self.min === undefined || self.max === undefined || self.min <= self.max,
  }),
  namesUnique: define<Named[]>({
    rule: 'self.all(a, self.exists_one(b, b.name == a.name))',
    message: 'names must be unique',
    holds: namesUnique,
  }),
  stepsIncrease: define<Step[]>({
    rule: 'self.map(s, s.setWeight).isSorted() && self.all(a, self.exists_one(b, b.setWeight == a.setWeight))',
    message: 'setWeight must strictly increase from step to step',
    holds: (self) => self.every((step, i) => i === 0 || (self[i - 1] as Step).setWeight < step.setWeight),
  }),
  durationAtMostAWeek: define<string>({
    rule: "duration(self) <= duration('168h')",
    message: 'must be at most 168h',
    holds: (self) => durationHolds(self, (ms) => ms <= WEEK_MS),
  }),
  intervalInRange: define<string>({
    rule: "duration(self) >= duration('1s') && duration(self) <= duration('1h')",
    message: 'must be between 1s and 1h',
    holds: (self) => durationHolds(self, (ms) => ms >= 1000 && ms <= HOUR_MS),
  }),
  deadlineAtLeastInterval: define<Analysis>({
    rule: '!has(self.progressDeadline) || !has(self.interval) || duration(self.progressDeadline) >= duration(self.interval)',
    message: 'progressDeadline must be at least interval',
    fieldPath: '.progressDeadline',
    holds: (self) => {
      const deadline = parseDurationMs(self.progressDeadline ?? '');
      const interval = parseDurationMs(self.interval ?? '');
      return deadline === undefined || interval === undefined || deadline >= interval;
    },
  }),
  prometheusNeedsAddress: define<Provider>({
    rule: "!has(self.type) || self.type != 'prometheus' || has(self.address)",
    message: 'type prometheus needs address, the base URL of the Prometheus HTTP API',
    fieldPath: '.address',
    holds: (self) => self.type !== 'prometheus' || has(self.address),
  }),
  customNeedsPrometheus: define<Analysis>({
    rule: "!has(self.custom) || size(self.custom) == 0 || (has(self.provider) && has(self.provider.type) && self.provider.type == 'prometheus')",
    message: 'custom checks need provider.type prometheus',
    fieldPath: '.custom',
    holds: (self) => (self.custom ?? []).length === 0 || self.provider?.type === 'prometheus',
  }),
  customNotBuiltin: define<Named>({
    rule: `!(self.name in [${BUILTIN_CHECKS.map((c) => `'${c}'`).join(', ')}])`,
    message: `must differ from the built-in checks (${BUILTIN_CHECKS.join(', ')})`,
    fieldPath: '.name',
    holds: (self) => !(BUILTIN_CHECKS as readonly string[]).includes(self.name),
  }),
} as const;

/** The `x-kubernetes-validations` entries for a schema node. */
export function cel(...rules: CelRule[]): CelValidation[] {
  return rules.map(({ rule, message, fieldPath }) => (fieldPath === undefined ? { rule, message } : { rule, message, fieldPath }));
}

const BY_TEXT = new Map<string, CelRule>(Object.values(RULES).map((r) => [r.rule, r]));

/** The twin of a CEL rule found in a schema; throws when a rule was written outside the table. */
export function twinOf(rule: string): CelRule {
  const twin = BY_TEXT.get(rule);
  if (twin === undefined) throw new Error(`CEL rule without a TypeScript twin in operator/api/rules.ts: ${rule}`);
  return twin;
}
