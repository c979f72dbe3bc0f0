// The synthetic "species" world the demo models learn and the traffic generator samples from.
// Each of 36 target species is a cluster of 16-dimensional feature vectors (think: embeddings of
// camera-trap crops); non-targets are empty frames near the origin and a dozen distractor species.
// The world is fixed by WORLD_SEED, so training data and live traffic share one distribution.
import { Prng } from './prng.js';

/** Number of features per input vector (the model input is `[batch, FEATURES]`). */
export const FEATURES = 16;

/** The target species, in class-index order. */
export const SPECIES = [
  'arctic-tern', 'common-tern', 'little-tern', 'sandwich-tern', 'roseate-tern', 'black-tern',
  'caspian-tern', 'royal-tern', 'sooty-tern', 'whiskered-tern', 'gull-billed-tern', 'least-tern',
  'herring-gull', 'black-headed-gull', 'kittiwake', 'puffin', 'razorbill', 'guillemot',
  'gannet', 'fulmar', 'shag', 'cormorant', 'eider', 'oystercatcher',
  'redshank', 'curlew', 'dunlin', 'knot', 'sanderling', 'turnstone',
  'ringed-plover', 'grey-plover', 'avocet', 'little-egret', 'grey-heron', 'spoonbill',
] as const;

const DISTRACTORS = 12;
const WORLD_SEED = 0x7e2a;
const CLUSTER_SPREAD = 0.55;
const EMPTY_SPREAD = 0.7;

/** One labelled example; `species` is -1 for a non-target. */
export interface Example {
  features: number[];
  species: number;
}

/** Options that shift the live distribution away from the training one. */
export interface DrawOptions {
  /** Share of inputs that are targets (default 0.8, the live mix). */
  targetRatio?: number;
  /** 0 = the training distribution; 1 = strongly shifted (sensor degradation: the signal fades towards empty frames). */
  drift?: number;
}

function centers(rng: Prng, count: number, radius: number): number[][] {
  return Array.from({ length: count }, () => {
    const v = Array.from({ length: FEATURES }, () => rng.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => (x / norm) * radius);
  });
}

const world = (() => {
  const rng = new Prng(WORLD_SEED);
  return { species: centers(rng, SPECIES.length, 4), distractors: centers(rng, DISTRACTORS, 4) };
})();

/** Draws one example from the world. */
export function drawExample(rng: Prng, options: DrawOptions = {}): Example {
  const targetRatio = options.targetRatio ?? 0.8;
  const drift = options.drift ?? 0;
  let center: number[];
  let species = -1;
  let spread = CLUSTER_SPREAD;
  if (rng.next() < targetRatio) {
    species = rng.int(SPECIES.length);
    center = world.species[species] as number[];
  } else if (rng.next() < 0.5) {
    center = new Array<number>(FEATURES).fill(0);
    spread = EMPTY_SPREAD;
  } else {
    center = world.distractors[rng.int(DISTRACTORS)] as number[];
  }
  const fade = 1 - 0.75 * drift;
  return { features: center.map((c) => c * fade + rng.normal() * spread), species };
}

/** Draws `count` examples. */
export function drawExamples(rng: Prng, count: number, options: DrawOptions = {}): Example[] {
  return Array.from({ length: count }, () => drawExample(rng, options));
}
