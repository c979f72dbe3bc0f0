// A label-free Prometheus histogram for per-prediction observations. prom-client's Histogram validates and
// hashes labels on every observe, which on /v1/predict costs more per prediction than the prediction's own
// bookkeeping; this one bins into a typed array and renders the same exposition (buckets, +Inf, _sum, _count)
// through the same Registry.
import type { Registry } from 'prom-client';

/** How prom-client's Registry reads a metric (the parts of its metric interface it uses). */
interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
  /** prom-client sets null on buckets (no exemplars kept). */
  exemplar?: null;
}

/** Settings, as for prom-client's Histogram without labels. */
export interface BinnedHistogramConfig {
  name: string;
  help: string;
  buckets: readonly number[];
  registers: Registry[];
}

/** Histogram without labels; `observe` is a bucket search and three additions. */
export class BinnedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: Float64Array;
  /** counts[i]: observations in bucket i (not cumulative); the last slot holds those above every bound. */
  #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(config: BinnedHistogramConfig) {
    this.name = config.name;
    this.help = config.help;
    this.#bounds = Float64Array.from([...config.buckets].sort((a, b) => a - b));
    this.#counts = new Float64Array(this.#bounds.length + 1);
    for (const r of config.registers) r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** Adds one observation (a TypeError for a non-finite value, as prom-client). */
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.#counts[i] = (this.#counts[i] as number) + 1;
    this.#sum += value;
    this.#count++;
  }

  /** Forgets every observation (Registry.resetMetrics). */
  reset(): void {
    this.#counts = new Float64Array(this.#bounds.length + 1);
    this.#sum = 0;
    this.#count = 0;
  }

  /** The exposition values, in prom-client Histogram's order. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const bucket = `${this.name}_bucket`;
    const values: MetricValue[] = [];
    let cumulative = 0;
    this.#bounds.forEach((le, i) => {
      cumulative += this.#counts[i] as number;
      values.push({ labels: { le }, value: cumulative, metricName: bucket, exemplar: null });
    });
    values.push({ labels: { le: '+Inf' }, value: this.#count, metricName: bucket, exemplar: null });
    values.push({ labels: {}, value: this.#sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: this.#count, metricName: `${this.name}_count` });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
