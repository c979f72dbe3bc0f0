import { Gauge, Registry } from 'prom-client';
import type { CheckResult } from '../api/model-release-schema.js';
import { forgetCheckResults, recordCheckResults, thresholdNumber, type AnalysisGauges } from './record-metrics.js';

function gauges(): { registry: Registry; gauges: AnalysisGauges } {
  const registry = new Registry();
  const labelNames = ['namespace', 'release', 'check', 'track'];
  return {
    registry,
    gauges: {
      checkValue: new Gauge({ name: 'tern_analysis_check_value', help: 'v', labelNames, registers: [registry] }),
      checkThreshold: new Gauge({ name: 'tern_analysis_check_threshold', help: 't', labelNames, registers: [registry] }),
      checkOutcome: new Gauge({ name: 'tern_analysis_check_outcome', help: 'o', labelNames: [...labelNames, 'outcome'], registers: [registry] }),
    },
  };
}

const result = (outcome: CheckResult['outcome'], value?: number): CheckResult => ({
  name: 'availability',
  track: 'canary',
  outcome,
  threshold: '>= 0.95',
  measuredAt: '2026-01-01T00:00:00.000Z',
  ...(value === undefined ? {} : { value }),
});

describe('recordCheckResults', () => {
  it('sets value, threshold and a one-hot outcome per check and track (real prom-client gauges)', async () => {
    const { registry, gauges: g } = gauges();
    recordCheckResults(g, 'ml', 'demo', [result('Failed', 0.9)]);
    const text = await registry.metrics();
    expect(text).toContain('tern_analysis_check_value{namespace="ml",release="demo",check="availability",track="canary"} 0.9');
    expect(text).toContain('tern_analysis_check_threshold{namespace="ml",release="demo",check="availability",track="canary"} 0.95');
    expect(text).toContain('tern_analysis_check_outcome{namespace="ml",release="demo",check="availability",track="canary",outcome="Failed"} 1');
    expect(text).toContain('tern_analysis_check_outcome{namespace="ml",release="demo",check="availability",track="canary",outcome="Successful"} 0');

    recordCheckResults(g, 'ml', 'demo', [result('Inconclusive')]);
    const later = await registry.metrics();
    expect(later).toContain('outcome="Inconclusive"} 1');
    expect(later).toContain('outcome="Failed"} 0');
    expect(later).toMatch(/tern_analysis_check_value\{[^}]*\} Nan/);

    forgetCheckResults(g, 'ml', 'demo', [result('Inconclusive')]);
    expect(await registry.metrics()).not.toContain('release="demo"');
  });

  it('reads the number of a threshold text', () => {
    expect(thresholdNumber('>= 0.95')).toBe(0.95);
    expect(thresholdNumber('canary - stable >= -0.05')).toBe(-0.05);
    expect(thresholdNumber('>= 1 and <= 5')).toBe(1);
    expect(thresholdNumber('any value')).toBeNaN();
  });
});
