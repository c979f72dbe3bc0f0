import { ConfigError, parseConfig } from './config.js';

const noFile = (): string => {
  throw new Error('no files in this test');
};

describe('parseConfig', () => {
  it('defaults to cores - 1 single-threaded workers, and two on a 2-core machine', () => {
    const url = ['--model-url', 'http://127.0.0.1:1/m.onnx'];
    expect(parseConfig(url, {}, noFile, 1)).toMatchObject({ workers: 1, intraOpThreads: 1 });
    expect(parseConfig(url, {}, noFile, 2)).toMatchObject({ workers: 2, intraOpThreads: 1 });
    expect(parseConfig(url, {}, noFile, 4)).toMatchObject({ workers: 3, intraOpThreads: 1 });
    expect(parseConfig(url, {}, noFile, 16)).toMatchObject({ workers: 4, intraOpThreads: 4 });
  });

  it('reads flags, with TERN_* environment twins that flags override', () => {
    const c = parseConfig(['--model-url', 'http://127.0.0.1:1/m.onnx', '--port=9000', '--workers', '2'], { TERN_PORT: '7000', TERN_HOST: '127.0.0.5', TERN_MAX_BATCH_SIZE: '8' }, noFile, 4);
    expect(c).toMatchObject({ modelUrl: 'http://127.0.0.1:1/m.onnx', port: 9000, host: '127.0.0.5', maxBatchSize: 8, workers: 2, intraOpThreads: 2 });
    expect(c.baselineScore).toBeUndefined();
    expect(c.rejectionThreshold).toBe(0.5);
  });

  it('takes the baseline from a metrics snapshot and the threshold from a YAML file', () => {
    const files: Record<string, string> = {
      'entry.json': JSON.stringify({ name: 'species-1.1.0', metrics_snapshot: { tpr: 0.9, score_mean: 0.7582 } }),
      'anti_fraud_threshold.yaml': 'threshold: 0\n',
    };
    const c = parseConfig(['--model-url', 'file:///m.onnx', '--metrics-snapshot', 'entry.json', '--rejection-config', 'anti_fraud_threshold.yaml'], {}, (p) => files[p] ?? '', 2);
    expect(c.baselineScore).toBe(0.7582);
    expect(c.rejectionThreshold).toBe(0);
  });

  it.each([
    [[], /--model-url .* is required/],
    [['--model-url', 's3://b/m.onnx'], /only https/],
    [['--model-url', 'file:///m', '--port', 'x'], /--port: expected an integer/],
    [['--model-url', 'file:///m', '--execution-provider', 'tpu'], /cpu, cuda or webgpu/],
    [['--model-url', 'file:///m', '--sha256', 'abc'], /64 hex/],
    [['--model-url', 'file:///m', '--bogus', '1'], /unknown flag --bogus/],
    [['--model-url', 'file:///m', '--rejection-threshold', '2'], /0..1/],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseConfig(argv as string[], {}, noFile, 2)).toThrow(ConfigError);
    expect(() => parseConfig(argv as string[], {}, noFile, 2)).toThrow(message as RegExp);
  });
});
