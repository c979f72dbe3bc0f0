// tern-operator's flags and their TERN_* environment twins.
import { parseOperatorFlags } from './operator-flags.js';

describe('tern-operator flags', () => {
  it('has the documented defaults', () => {
    expect(parseOperatorFlags([], {})).toEqual({
      metricsAddr: ':8081',
      leaderElect: true,
      leaseNamespace: 'default',
      leaseName: 'tern-operator',
      namespaces: [],
      logLevel: 'info',
      workers: 4,
    });
  });
  it('reads flags, then TERN_* variables, then POD_NAMESPACE for the lease', () => {
    const flags = parseOperatorFlags(['--namespaces', 'a, b', '--leader-elect', 'false', '--metrics-addr', '127.0.0.1:9000'], {
      TERN_LOG_LEVEL: 'debug',
      TERN_METRICS_ADDR: ':1',
      POD_NAMESPACE: 'tern-system',
    });
    expect(flags).toMatchObject({ namespaces: ['a', 'b'], leaderElect: false, metricsAddr: '127.0.0.1:9000', logLevel: 'debug', leaseNamespace: 'tern-system' });
  });
  it.each([
    [['--leader-elect', 'maybe'], '--leader-elect must be true or false'],
    [['--log-level', 'loud'], '--log-level must be one of'],
    [['--workers', '0'], '--workers must be a positive integer'],
    [['--nope', 'x'], "Unknown option '--nope'"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseOperatorFlags(argv, {})).toThrow(message);
  });
});
