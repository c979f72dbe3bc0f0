// The string-built /v1/predict answer is byte for byte what JSON.stringify gives.
import type { Prediction } from './prediction.js';
import { PredictResponseEncoder } from './predict-response.js';

describe('PredictResponseEncoder', () => {
  const reference = (name: string, version: string, predictions: Prediction[], latency: number, threshold = 0.5): string =>
    JSON.stringify({ model: { name, version }, predictions, rejection_threshold: threshold, latency_ms: latency });

  it('matches JSON.stringify on ordinary, rejected, odd-label and non-finite predictions', () => {
    const predictions: Prediction[] = [
      { label: 'species_3', class_index: 3, confidence: 0.8234567046165466, target_score: 0.91, rejected: false },
      { label: 'species_"quoted"\\\n', class_index: 0, confidence: 1e-7, target_score: 0.1, rejected: true, reason: 'not_a_target' },
      { label: 'ünïcode \u2028', class_index: 12, confidence: NaN, target_score: Infinity, rejected: false },
      { label: 'species_3', class_index: 3, confidence: -0, target_score: 5e-324, rejected: false },
    ];
    const encoder = new PredictResponseEncoder('species "x"', '1.1.0', 0.5);
    for (const latency of [0.123456789, 0, NaN, 12345.5]) {
      expect(encoder.encode(predictions, latency)).toBe(reference('species "x"', '1.1.0', predictions, latency));
    }
    expect(encoder.encode([], 1)).toBe(reference('species "x"', '1.1.0', [], 1));
  });

  it('answers the rejection threshold in force', () => {
    for (const threshold of [0, 0.35, 1, 1e-7]) {
      const predictions: Prediction[] = [{ label: 'a', class_index: 0, confidence: 0.9, target_score: 0.4, rejected: threshold > 0.4 }];
      expect(new PredictResponseEncoder('m', 'v', threshold).encode(predictions, 2)).toBe(reference('m', 'v', predictions, 2, threshold));
    }
  });

  it('matches JSON.stringify on random predictions', () => {
    const encoder = new PredictResponseEncoder('m', 'v', 0.5);
    let seed = 7;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let round = 0; round < 50; round++) {
      const predictions: Prediction[] = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => {
        const rejected = rand() < 0.3;
        return {
          label: `class_${Math.floor(rand() * 30)}`, class_index: Math.floor(rand() * 30), confidence: Math.fround(rand()),
          target_score: rand() * 10 ** Math.floor(rand() * 40 - 20), rejected, ...(rejected ? { reason: 'not_a_target' } : {}),
        };
      });
      const latency = rand() * 100;
      expect(encoder.encode(predictions, latency)).toBe(reference('m', 'v', predictions, latency));
    }
  });
});
