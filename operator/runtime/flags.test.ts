import { operatorUsage, parseDuration, parseOperatorFlags } from './flags.js';

describe('parseOperatorFlags', () => {
  it('has defaults that match the chart and client-go', () => {
    expect(parseOperatorFlags([], {})).toEqual({
      kubeconfig: undefined,
      context: undefined,
      namespaces: [],
      metricsAddr: ':8080',
      leaderElect: true,
      leaseNamespace: 'default',
      leaseName: 'tern-operator',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      concurrency: 4,
      logLevel: 'info',
      identity: undefined,
      help: false,
    });
  });

  it('reads the chart`s arguments, both --flag=value and --flag value', () => {
    const f = parseOperatorFlags(
      ['--metrics-addr=:9090', '--leader-elect=false', '--lease-namespace', 'tern-system', '--namespaces=ml,ml-staging', '--retry-period=500ms'],
      { POD_NAMESPACE: 'ignored-when-flag-given' },
    );
    expect(f).toMatchObject({
      metricsAddr: ':9090',
      leaderElect: false,
      leaseNamespace: 'tern-system',
      namespaces: ['ml', 'ml-staging'],
      retryPeriodMs: 500,
    });
  });

  it('takes TERN_* environment twins, flags winning, and POD_NAMESPACE for the lease', () => {
    const f = parseOperatorFlags(['--concurrency=8'], { TERN_CONCURRENCY: '2', TERN_NAMESPACES: 'a', POD_NAMESPACE: 'tern-system' });
    expect(f).toMatchObject({ concurrency: 8, namespaces: ['a'], leaseNamespace: 'tern-system' });
    expect(parseOperatorFlags(['--leader-elect'], { TERN_LEADER_ELECT: 'false' }).leaderElect).toBe(true);
  });

  it('rejects unknown flags, bad values and a renew deadline not below the lease', () => {
    expect(() => parseOperatorFlags(['--nope'], {})).toThrow(/unknown flag --nope/);
    expect(() => parseOperatorFlags(['--concurrency=0'], {})).toThrow(/--concurrency/);
    expect(() => parseOperatorFlags(['--lease-duration=5s'], {})).toThrow(/must be shorter than --lease-duration/);
    expect(() => parseOperatorFlags(['--retry-period=2 seconds'], {})).toThrow(/--retry-period: bad duration/);
    expect(() => parseOperatorFlags(['--leader-elect=maybe'], {})).toThrow(/want true or false/);
  });

  it('documents every flag with its environment twin', () => {
    expect(operatorUsage()).toContain('--metrics-addr');
    expect(operatorUsage()).toContain('[TERN_NAMESPACES]');
  });
});

describe('parseDuration', () => {
  it('reads Go durations', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(() => parseDuration('')).toThrow();
    expect(() => parseDuration('10')).toThrow();
  });
});
