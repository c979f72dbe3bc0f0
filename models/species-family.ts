// The demo model family: how each version is trained and evaluated, and the registry entries for them.
// 1.0.0 and 1.1.0 are good. 1.2.0 is the regression: its new feature pipeline re-scales features
// (train/serve skew). Its own held-out data went through the same pipeline, so its offline metrics
// look fine, but live traffic arrives unscaled and its target scores fall well below its baseline.
import { createHash } from 'node:crypto';
import { drawExamples, FEATURES, SPECIES, type Example } from './dataset.js';
import { predict, train, type MlpWeights } from './mlp.js';
import { Prng } from './prng.js';
import { speciesModelOnnx } from './species-model.js';

/** How one version is made. */
export interface VersionRecipe {
  version: string;
  hidden: number;
  epochs: number;
  seed: number;
  trainedAt: string;
  /** Every feature is multiplied by this in this version's training pipeline (the 1.2.0 skew); 1 for none. */
  pipelineScale: number;
  notes: string;
}

export const RECIPES: readonly VersionRecipe[] = [
  { version: '1.0.0', hidden: 16, epochs: 4, seed: 101, trainedAt: '2026-08-03T09:00:00Z', pipelineScale: 1,
    notes: 'baseline MLP, 16 hidden units' },
  { version: '1.1.0', hidden: 32, epochs: 6, seed: 202, trainedAt: '2026-09-14T09:00:00Z', pipelineScale: 1,
    notes: 'wider MLP, 32 hidden units' },
  { version: '1.2.0', hidden: 32, epochs: 6, seed: 303, trainedAt: '2026-10-26T09:00:00Z', pipelineScale: 1.3,
    notes: 'feature pipeline v2 (re-scaled features): train/serve skew, drifts on live traffic' },
];

/** Held-out metrics, as the training pipeline measures them. */
export interface HeldOutMetrics {
  tpr: number;
  tnr: number;
  score_mean: number;
  accuracy: number;
  holdout_size: number;
}

/** One generated version: ONNX bytes, its sha256, held-out metrics and what live traffic would see. */
export interface GeneratedVersion {
  recipe: VersionRecipe;
  weights: MlpWeights;
  onnx: Uint8Array;
  sha256: string;
  metrics: HeldOutMetrics;
  /** Mean target score on raw (live-distribution) inputs: close to score_mean unless the version is skewed. */
  liveScoreMean: number;
}

const TRAIN_SIZE = 6000;
const HOLDOUT_SIZE = 2000;
const round4 = (x: number): number => Math.round(x * 10000) / 10000;

function scaled(examples: readonly Example[], scale: number): Example[] {
  return examples.map((e) => ({ species: e.species, features: e.features.map((f) => f * scale) }));
}

/** Evaluates weights on examples: TPR/TNR at a 0.5 target threshold, mean score, species accuracy. */
export function evaluate(w: MlpWeights, examples: readonly Example[]): HeldOutMetrics {
  let tp = 0, pos = 0, tn = 0, neg = 0, correct = 0, scoreSum = 0;
  for (const ex of examples) {
    const out = predict(w, ex.features);
    scoreSum += out.targetScore;
    if (ex.species >= 0) {
      pos++;
      if (out.targetScore >= 0.5) tp++;
      if (out.probabilities.indexOf(Math.max(...out.probabilities)) === ex.species) correct++;
    } else {
      neg++;
      if (out.targetScore < 0.5) tn++;
    }
  }
  return {
    tpr: round4(tp / pos), tnr: round4(tn / neg), score_mean: round4(scoreSum / examples.length),
    accuracy: round4(correct / pos), holdout_size: examples.length,
  };
}

/** Trains, evaluates and encodes one version (deterministic). */
export function generateVersion(recipe: VersionRecipe): GeneratedVersion {
  const rng = new Prng(recipe.seed);
  const trainSet = scaled(drawExamples(rng, TRAIN_SIZE, { targetRatio: 0.5 }), recipe.pipelineScale);
  const rawHoldout = drawExamples(rng, HOLDOUT_SIZE);
  const weights = train(trainSet, FEATURES, {
    hidden: recipe.hidden, classes: SPECIES.length, epochs: recipe.epochs, learningRate: 0.01, batchSize: 32,
    seed: recipe.seed,
  });
  const metrics = evaluate(weights, scaled(rawHoldout, recipe.pipelineScale));
  const liveScoreMean = round4(evaluate(weights, rawHoldout).score_mean);
  const onnx = speciesModelOnnx(weights, recipe.version, `Tern demo species classifier ${recipe.version}: ${recipe.notes}`);
  return { recipe, weights, onnx, sha256: createHash('sha256').update(onnx).digest('hex'), metrics, liveScoreMean };
}

/** The registry entry for one generated version (format of models/registry.json). */
export function registryEntry(g: GeneratedVersion): Record<string, unknown> {
  const v = g.recipe.version;
  return {
    name: `species-${v}`,
    display_name: `Species classifier ${v}`,
    version: v,
    architecture: `mlp-${FEATURES}x${g.recipe.hidden}x${SPECIES.length}+target`,
    weights_url: `https://models.tern.dev/species/${v}/species-${v}.onnx`,
    sha256: g.sha256,
    trained_at: g.recipe.trainedAt,
    metrics_snapshot: g.metrics,
  };
}
