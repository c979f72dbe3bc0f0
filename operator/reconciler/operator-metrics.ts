/**
 * The operator's ModelRelease metrics (docs/conventions.md, "Operator metrics"): phase, canary weight,
 * finished rollouts, rollbacks, production alarms and the analysis checks, added to the runtime's
 * controller metrics (reconcile passes, queue, leadership, API writes) in one registry. Names and
 * labels here are the contract with the chart's alerts and dashboards; change them only together with
 * docs/conventions.md.
 */
import client from 'prom-client';
import { OUTCOMES, PHASES, type Outcome, type Phase } from '../api/model-release-schema.js';
import type { Track } from '../analysis/types.js';
import { ControllerMetrics } from '../runtime/metrics.js';

/** How a rollout ended (`tern_rollouts_total{outcome}`). */
export type RolloutOutcome = 'Promoted' | 'RolledBack' | 'Failed' | 'Superseded';

/** Every operator metric: the controller's and the releases', in one registry. */
export class OperatorMetrics extends ControllerMetrics {
  readonly #releasePhase = new client.Gauge({
    name: 'tern_release_phase',
    help: 'Phase of each ModelRelease: 1 for the current phase, 0 for the others.',
    labelNames: ['namespace', 'release', 'phase'] as const,
    registers: [this.registry],
  });
  readonly #canaryWeight = new client.Gauge({
    name: 'tern_release_canary_weight',
    help: 'Percent of traffic the candidate track takes.',
    labelNames: ['namespace', 'release'] as const,
    registers: [this.registry],
  });
  readonly #rollouts = new client.Counter({
    name: 'tern_rollouts_total',
    help: 'Finished rollouts by outcome.',
    labelNames: ['namespace', 'release', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #rollbacks = new client.Counter({
    name: 'tern_rollbacks_total',
    help: 'Rollbacks by reason (the failing check, Manual, GitOpsRevert, StagingGate, ...).',
    labelNames: ['namespace', 'release', 'reason'] as const,
    registers: [this.registry],
  });
  readonly #productionAlarms = new client.Counter({
    name: 'tern_production_alarms_total',
    help: 'Production watch alarms by failing check (onProductionAlarm alert; a rollback counts in tern_rollbacks_total).',
    labelNames: ['namespace', 'release', 'check'] as const,
    registers: [this.registry],
  });
  readonly #checkValue = new client.Gauge({
    name: 'tern_analysis_check_value',
    help: 'Last measured value of an analysis check.',
    labelNames: ['namespace', 'release', 'check', 'track'] as const,
    registers: [this.registry],
  });
  readonly #checkThreshold = new client.Gauge({
    name: 'tern_analysis_check_threshold',
    help: 'Threshold the analysis check compares its value with.',
    labelNames: ['namespace', 'release', 'check', 'track'] as const,
    registers: [this.registry],
  });
  readonly #checkOutcome = new client.Gauge({
    name: 'tern_analysis_check_outcome',
    help: 'Last outcome of an analysis check: 1 for the current outcome, 0 for the others.',
    labelNames: ['namespace', 'release', 'check', 'track', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Sets the release's phase: 1 on `phase`, 0 on every other phase. */
  setReleasePhase(namespace: string, release: string, phase: Phase): void {
    for (const p of PHASES) this.#releasePhase.set({ namespace, release, phase: p }, p === phase ? 1 : 0);
  }

  /** Sets the candidate's traffic share in percent. */
  setCanaryWeight(namespace: string, release: string, percent: number): void {
    this.#canaryWeight.set({ namespace, release }, percent);
  }

  /** Counts a finished rollout. */
  countRollout(namespace: string, release: string, outcome: RolloutOutcome): void {
    this.#rollouts.inc({ namespace, release, outcome });
  }

  /** Counts a rollback and its reason. */
  countRollback(namespace: string, release: string, reason: string): void {
    this.#rollbacks.inc({ namespace, release, reason });
  }

  countProductionAlarm(namespace: string, release: string, check: string): void {
    this.#productionAlarms.inc({ namespace, release, check });
  }

  /** Records the last measurement of a check: value and threshold when known, and its outcome (one-hot). */
  setCheck(
    namespace: string,
    release: string,
    check: string,
    track: Track,
    result: { outcome: Outcome; value?: number | null; threshold?: number | null },
  ): void {
    const labels = { namespace, release, check, track };
    if (typeof result.value === 'number') this.#checkValue.set(labels, result.value);
    if (typeof result.threshold === 'number') this.#checkThreshold.set(labels, result.threshold);
    for (const o of OUTCOMES) this.#checkOutcome.set({ ...labels, outcome: o }, o === result.outcome ? 1 : 0);
  }

  /** Drops every per-release gauge series (the ModelRelease was deleted), so dashboards show no ghosts. Counters are kept. */
  async forgetRelease(namespace: string, release: string): Promise<void> {
    const gauges = [this.#releasePhase, this.#canaryWeight, this.#checkValue, this.#checkThreshold, this.#checkOutcome];
    for (const gauge of gauges as client.Gauge<string>[]) {
      const { values } = await gauge.get();
      for (const { labels } of values) {
        if (labels['namespace'] === namespace && labels['release'] === release) gauge.remove(labels as client.LabelValues<string>);
      }
    }
  }
}
