import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parsePromText } from './prom-text.js';

describe('parsePromText', () => {
  it('reads what prom-client writes: counters, histograms, gauges, special values', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'x_requests_total', help: 'h', labelNames: ['route', 'code'], registers: [registry] });
    c.inc({ route: '/v2/models/:name/infer', code: '200' }, 3);
    const h = new Histogram({ name: 'x_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] });
    h.observe(0.05);
    h.observe(5);
    const g = new Gauge({ name: 'x_mean', help: 'h', registers: [registry] });
    g.set(NaN);
    const samples = parsePromText(await registry.metrics());
    expect(samples).toContainEqual({ name: 'x_requests_total', labels: { route: '/v2/models/:name/infer', code: '200' }, value: 3 });
    expect(samples).toContainEqual({ name: 'x_seconds_bucket', labels: { le: '+Inf' }, value: 2 });
    expect(samples).toContainEqual({ name: 'x_seconds_count', labels: {}, value: 2 });
    expect(samples.find((s) => s.name === 'x_mean')?.value).toBeNaN();
  });

  it('handles escapes, timestamps, comments and infinities', () => {
    const text = ['# HELP a help', '# TYPE a gauge', 'a{msg="say \\"hi\\"\\n",path="C:\\\\x"} -Inf 1700000000000', '', 'b +Inf', 'c 1e3'].join('\n');
    expect(parsePromText(text)).toEqual([
      { name: 'a', labels: { msg: 'say "hi"\n', path: 'C:\\x' }, value: -Infinity },
      { name: 'b', labels: {}, value: Infinity },
      { name: 'c', labels: {}, value: 1000 },
    ]);
  });

  it('rejects malformed lines, naming the line', () => {
    expect(() => parsePromText('ok 1\nbad{x="1" 2')).toThrow(/metrics line 2/);
    expect(() => parsePromText('v abc')).toThrow(/"abc" is not a sample value/);
  });
});
