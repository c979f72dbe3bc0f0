/**
 * One planning pass's working state: the new status being built, the events and outcomes it emits,
 * and the earliest time it must run again. Transitions go through here so that every phase change
 * sets phaseSince, emits an event, records finished steps and keeps history bounded the same way.
 */
import { HISTORY_LIMIT, type HistoryEntry, type ModelReleaseStatus, type Phase } from '../api/model-release-schema.js';
import type { Scale } from '../model/traffic.js';
import { setCondition, type ConditionUpdate } from './conditions.js';
import { recordStep, trimRecords, withSteps } from './record.js';
import type { PlanEvent, PlanInput, RolloutOutcome } from './types.js';

export class Pass {
  readonly input: PlanInput;
  /** The release's router's pod scaling (injected into plan(), like the judge). */
  readonly scale: Scale;
  readonly now: Date;
  readonly nowIso: string;
  status: ModelReleaseStatus;
  readonly events: PlanEvent[] = [];
  readonly outcomes: RolloutOutcome[] = [];
  /** Checks that raised a production alarm in this pass (tern_production_alarms_total). */
  readonly alarms: string[] = [];
  #wakeAtMs: number | undefined;

  constructor(input: PlanInput, scale: Scale) {
    this.input = input;
    this.scale = scale;
    this.now = input.now;
    this.nowIso = input.now.toISOString();
    // A JSON copy (not structuredClone): status is JSON, and plain objects compare equal across realms.
    this.status = JSON.parse(JSON.stringify(input.release.status ?? {})) as ModelReleaseStatus;
    this.status.observedGeneration = input.release.metadata.generation ?? this.status.observedGeneration;
  }

  get spec() {
    return this.input.release.spec;
  }

  /** Milliseconds since an ISO time (0 when unset). */
  since(iso: string | undefined): number {
    return iso ? this.now.getTime() - Date.parse(iso) : 0;
  }

  /** Ask for another pass `ms` from now (the earliest request wins). */
  wakeIn(ms: number): void {
    const at = this.now.getTime() + Math.max(ms, 0);
    if (this.#wakeAtMs === undefined || at < this.#wakeAtMs) this.#wakeAtMs = at;
  }

  get requeueAfterMs(): number | undefined {
    return this.#wakeAtMs === undefined ? undefined : Math.max(this.#wakeAtMs - this.now.getTime(), 0);
  }

  event(type: PlanEvent['type'], reason: string, note: string): void {
    this.events.push({ type, reason, note });
  }

  /** Move to `phase` (phaseSince only changes on a real change) and say why in status.message. */
  enter(phase: Phase, message: string): void {
    if (this.status.phase !== phase) this.status.phaseSince = this.nowIso;
    this.status.phase = phase;
    this.status.message = message;
  }

  condition(update: ConditionUpdate): void {
    this.status.conditions = setCondition(this.status.conditions ?? [], update, this.now, this.input.release.metadata.generation);
  }

  /** Prepend a history entry with the release's step records, keeping at most HISTORY_LIMIT. */
  history(entry: Omit<HistoryEntry, 'finishedAt'>): void {
    this.closeStep();
    const recorded = withSteps({ ...entry, finishedAt: this.nowIso }, this.status);
    delete this.status.stepRecords;
    this.status.history = trimRecords([recorded, ...(this.status.history ?? [])].slice(0, HISTORY_LIMIT));
  }

  /** Record the canary or shadow step in force (if any) as finished now, and end it; it is recorded once. */
  closeStep(): void {
    recordStep(this.status, this.now);
  }

  outcome(outcome: RolloutOutcome): void {
    this.outcomes.push(outcome);
  }

  alarm(check: string): void {
    this.alarms.push(check);
  }

  /** Forget everything about the step in force (a new step, phase or release starts). */
  resetStep(): void {
    this.closeStep();
    delete this.status.currentStep;
    delete this.status.stepSince;
    delete this.status.lastVerdict;
    delete this.status.heldSince;
    this.status.canaryWeight = 0;
    this.status.mirrorPercent = 0;
  }
}
