/**
 * Offline staging gates: checks on the model's metrics snapshot and its artifact digest that need
 * no running pod, so a model that cannot pass is refused before anything starts.
 */
import type { Model, Staging } from '../api/model-release-schema.js';

export interface GateFailure {
  /** The gate's name for status and metrics, e.g. "minTpr", "sha256", "metric:auc". */
  gate: string;
  /** A sentence naming the value and the bound. */
  message: string;
}

/** Every failing gate of `model` under `staging` (empty: all pass). */
export function failingGates(model: Model, staging: Staging): GateFailure[] {
  const failures: GateFailure[] = [];
  const { gates } = staging;
  if (model.metrics.tpr < gates.minTpr) {
    failures.push({ gate: 'minTpr', message: `tpr ${model.metrics.tpr} is below the staging gate minTpr ${gates.minTpr}` });
  }
  if (model.metrics.tnr < gates.minTnr) {
    failures.push({ gate: 'minTnr', message: `tnr ${model.metrics.tnr} is below the staging gate minTnr ${gates.minTnr}` });
  }
  for (const g of gates.metrics ?? []) {
    const value = (model.metrics as Record<string, number | undefined>)[g.name];
    if (typeof value !== 'number') {
      failures.push({ gate: `metric:${g.name}`, message: `the metrics snapshot has no "${g.name}" for the staging gate` });
    } else if (g.min !== undefined && value < g.min) {
      failures.push({ gate: `metric:${g.name}`, message: `${g.name} ${value} is below the staging gate min ${g.min}` });
    } else if (g.max !== undefined && value > g.max) {
      failures.push({ gate: `metric:${g.name}`, message: `${g.name} ${value} is above the staging gate max ${g.max}` });
    }
  }
  if (!model.sha256 && !staging.allowUnverifiedArtifact) {
    failures.push({
      gate: 'sha256',
      message: 'spec.model.sha256 is missing: add the weights\' digest, or set spec.rollout.staging.allowUnverifiedArtifact: true',
    });
  }
  return failures;
}
