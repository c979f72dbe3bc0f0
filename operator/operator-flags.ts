/**
 * tern-operator's command line. Every flag has a TERN_* environment twin (flag wins), like tern-server.
 */
import { parseArgs } from 'node:util';
import type { LogLevel } from '../common/log.js';

export interface OperatorFlags {
  kubeconfig?: string;
  context?: string;
  /** Where /metrics, /healthz and /readyz listen (default :8081). */
  metricsAddr: string;
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  /** Namespaces to watch; empty = all. */
  namespaces: string[];
  logLevel: LogLevel;
  /** Reconciles running at once across releases. */
  workers: number;
  /** Prometheus for analysis provider `prometheus` without an address. */
  prometheusAddress?: string;
  /** This replica's name in the Lease and in events (default hostname_random). */
  identity?: string;
}

export const OPERATOR_USAGE = `tern-operator: reconciles ModelReleases (serving.tern.dev/v1alpha1) into staged rollouts.

  --kubeconfig FILE          cluster to use (default: in-cluster, then $KUBECONFIG, then ~/.kube/config; token or client-certificate users only)
  --context NAME             kubeconfig context (default: its current-context)
  --metrics-addr HOST:PORT   /metrics, /healthz, /readyz (default :8081)
  --leader-elect BOOL        run only while holding the Lease (default true)
  --lease-namespace NS       namespace of the Lease (default: $POD_NAMESPACE or default)
  --lease-name NAME          name of the Lease (default tern-operator)
  --namespaces A,B           namespaces to watch (default: all)
  --workers N                releases reconciled at once (default 4)
  --prometheus-address URL   default Prometheus for analysis provider prometheus
  --identity NAME            this replica's identity (default hostname_random)
  --log-level LEVEL          debug, info, warn or error (default info)
Every flag has an environment twin: TERN_METRICS_ADDR, TERN_LEADER_ELECT, TERN_NAMESPACES, ...`;

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

function envName(flag: string): string {
  return `TERN_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** Parse `argv` (without node and script) and `env`; throws with a message naming the bad flag. */
export function parseOperatorFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): OperatorFlags {
  const names = ['kubeconfig', 'context', 'metrics-addr', 'leader-elect', 'lease-namespace', 'lease-name', 'namespaces', 'log-level', 'workers', 'prometheus-address', 'identity'];
  const { values } = parseArgs({
    args: argv,
    options: { ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])), help: { type: 'boolean' as const } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) throw new Error(OPERATOR_USAGE);
  const get = (name: string): string | undefined => (values as Record<string, string | undefined>)[name] ?? env[envName(name)];
  const bool = (name: string, dflt: boolean): boolean => {
    const v = get(name);
    if (v === undefined) return dflt;
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    throw new Error(`--${name} must be true or false, not "${v}"`);
  };
  const level = (get('log-level') ?? 'info') as LogLevel;
  if (!LEVELS.includes(level)) throw new Error(`--log-level must be one of ${LEVELS.join(', ')}, not "${level}"`);
  const workers = Number(get('workers') ?? '4');
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, not "${get('workers')}"`);
  const kubeconfig = get('kubeconfig');
  const context = get('context');
  const prometheusAddress = get('prometheus-address');
  const identity = get('identity');
  return {
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(context ? { context } : {}),
    metricsAddr: get('metrics-addr') ?? ':8081',
    leaderElect: bool('leader-elect', true),
    leaseNamespace: get('lease-namespace') ?? env.POD_NAMESPACE ?? 'default',
    leaseName: get('lease-name') ?? 'tern-operator',
    namespaces: (get('namespaces') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: level,
    workers,
    ...(prometheusAddress ? { prometheusAddress } : {}),
    ...(identity ? { identity } : {}),
  };
}
