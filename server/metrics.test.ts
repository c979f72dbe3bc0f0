// ServerMetrics: it exports exactly the server metrics of docs/conventions.md, and the model service sets
// the rejection threshold in force and the model load time.
import { Registry, collectDefaultMetrics } from 'prom-client';
import { conventionMetrics } from '../charts/lib/conventions.js';
import { parseConfig } from './config.js';
import { ServerMetrics } from './metrics.js';
import { ModelService } from './model-service.js';

/** The value of an unlabelled metric as /metrics would show it. */
async function valueOf(metrics: ServerMetrics, name: string): Promise<number | undefined> {
  const json = await metrics.registry.getSingleMetric(name)?.get();
  return json?.values[0]?.value;
}

const serviceWith = (args: string[]): ModelService =>
  new ModelService(parseConfig(['--model-url', 'file:///nonexistent.onnx', '--model-version', '1.0.0', ...args], {}, () => '', 2), new ServerMetrics(), () => {});

describe('ServerMetrics', () => {
  it('exports exactly the server metrics of docs/conventions.md (besides the process defaults)', async () => {
    const defaults = new Registry();
    collectDefaultMetrics({ register: defaults, prefix: 'tern_server_' });
    const defaultNames = new Set((await defaults.getMetricsAsJSON()).map((m) => m.name));
    const metrics = new ServerMetrics();
    // Registered only when NVIDIA_VISIBLE_DEVICES gives a count (a pod with GPUs from a device plugin).
    metrics.reportGpuDevices(1);
    const exported = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => !defaultNames.has(n));
    const documented = conventionMetrics().map((m) => m.name).filter((n) => n.startsWith('tern_server_'));
    expect(exported.sort()).toEqual(documented.sort());
  });

  it('exports the rejection threshold in force', async () => {
    expect(await valueOf(serviceWith([]).metrics, 'tern_server_rejection_threshold')).toBe(0.5);
    expect(await valueOf(serviceWith(['--rejection-threshold', '0.35']).metrics, 'tern_server_rejection_threshold')).toBe(0.35);
  });

  it('exports the model load time once the model is ready, 0 before', async () => {
    const service = serviceWith([]);
    expect(await valueOf(service.metrics, 'tern_server_model_load_seconds')).toBe(0);
    service.markReady(12.25);
    expect(await valueOf(service.metrics, 'tern_server_model_load_seconds')).toBe(12.25);
  });
});
