/** @jest-environment ./server/ort-jest-environment.mjs */
// The demo family: `make models` output is byte-identical to the committed files, the registry carries the
// real sha256s and metrics, onnxruntime computes what the trainer computed, and 1.2.0 drifts on live traffic.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { readOnnxMetadata } from '../server/onnx-metadata.js';
import { drawExamples, SPECIES } from './dataset.js';
import { predict } from './mlp.js';
import { Prng } from './prng.js';
import { evaluate, generateVersion, RECIPES, registryEntry, type GeneratedVersion } from './species-family.js';

const dir = new URL('./', import.meta.url);
let generated: GeneratedVersion[];

beforeAll(() => {
  generated = RECIPES.map((r) => generateVersion(r));
});

describe('demo model family', () => {
  it('regenerates the committed ONNX files and registry.json byte for byte', () => {
    for (const g of generated) {
      const committed = readFileSync(new URL(`species/species-${g.recipe.version}.onnx`, dir));
      expect(createHash('sha256').update(committed).digest('hex')).toBe(g.sha256);
      expect(Buffer.compare(committed, Buffer.from(g.onnx))).toBe(0);
      expect(committed.length).toBeLessThan(20_000);
    }
    const registry = { schema_version: 1, active: 'species-1.0.0', models: generated.map(registryEntry) };
    expect(readFileSync(new URL('registry.json', dir), 'utf8')).toBe(`${JSON.stringify(registry, null, 2)}\n`);
  });

  it('passes the offline gate (TPR >= 0.85, TNR >= 0.90) for every version, 1.2.0 included', () => {
    for (const g of generated) {
      expect(g.metrics.tpr).toBeGreaterThanOrEqual(0.85);
      expect(g.metrics.tnr).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('1.0.0 and 1.1.0 hold their baseline on live traffic; 1.2.0 drops by at least 0.10', () => {
    const live = drawExamples(new Prng(99), 2000);
    const [v100, v110, v120] = generated.map((g) => g.metrics.score_mean - evaluate(g.weights, live).score_mean);
    expect(Math.abs(v100 as number)).toBeLessThan(0.05);
    expect(Math.abs(v110 as number)).toBeLessThan(0.05);
    expect(v120).toBeGreaterThanOrEqual(0.1);
  });

  it('the drift switch of the traffic lowers the score of a good model', () => {
    const g = generated[1] as GeneratedVersion;
    const drifted = evaluate(g.weights, drawExamples(new Prng(3), 2000, { drift: 0.4 })).score_mean;
    expect(g.metrics.score_mean - drifted).toBeGreaterThanOrEqual(0.1);
  });

  it('onnxruntime loads the files and computes what the trainer computes', async () => {
    const g = generated[2] as GeneratedVersion;
    const session = await ort.InferenceSession.create(g.onnx);
    const examples = drawExamples(new Prng(5), 8);
    const x = Float32Array.from(examples.flatMap((e) => e.features));
    const out = await session.run({ features: new ort.Tensor('float32', x, [8, 16]) });
    expect(out['probabilities']?.dims).toEqual([8, SPECIES.length]);
    expect(out['target_score']?.dims).toEqual([8]);
    examples.forEach((e, i) => {
      const ref = predict(g.weights, Array.from(x.subarray(i * 16, (i + 1) * 16)));
      expect((out['target_score']?.data as Float32Array)[i]).toBeCloseTo(ref.targetScore, 4);
      expect((out['probabilities']?.data as Float32Array)[i * SPECIES.length]).toBeCloseTo(ref.probabilities[0] as number, 4);
    });
    await session.release();
    const meta = readOnnxMetadata(g.onnx);
    expect(JSON.parse(meta.get('tern.labels') ?? '[]')).toEqual([...SPECIES]);
    expect(meta.get('tern.target_output')).toBe('target_score');
  });
});
