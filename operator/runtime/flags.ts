/**
 * tern-operator's command line (docs/conventions.md, "tern-operator command line"): every flag has
 * a `TERN_*` environment twin; a flag beats its twin. Parsing is pure (argv and env in, options
 * out) so it is tested without a process.
 */

/** The operator's runtime settings. */
export interface OperatorFlags {
  /** Kubeconfig file; absent: KUBECONFIG, ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  /** Kubeconfig context; absent: the current one. */
  context?: string;
  /** Namespaces to watch; empty: all. */
  namespaces: string[];
  /** Listen address of /metrics, /healthz, /readyz (`:8080`); '0' or '' disables. */
  metricsAddr: string;
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** Releases reconciled at once. */
  concurrency: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Leader-election identity; absent: POD_NAME (or the hostname) + a random suffix. */
  identity?: string;
  help: boolean;
}

interface FlagSpec {
  name: string;
  env: string;
  kind: 'string' | 'bool' | 'duration' | 'int' | 'list';
  help: string;
}

const SPECS: FlagSpec[] = [
  { name: 'kubeconfig', env: 'TERN_KUBECONFIG', kind: 'string', help: 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)' },
  { name: 'context', env: 'TERN_CONTEXT', kind: 'string', help: 'kubeconfig context (default: current)' },
  { name: 'namespaces', env: 'TERN_NAMESPACES', kind: 'list', help: 'comma-separated namespaces to watch (default: all)' },
  { name: 'metrics-addr', env: 'TERN_METRICS_ADDR', kind: 'string', help: 'address of /metrics, /healthz, /readyz (default :8080; 0 disables)' },
  { name: 'leader-elect', env: 'TERN_LEADER_ELECT', kind: 'bool', help: 'elect one leader through a Lease (default true)' },
  { name: 'lease-namespace', env: 'TERN_LEASE_NAMESPACE', kind: 'string', help: 'namespace of the Lease (default: POD_NAMESPACE, else default)' },
  { name: 'lease-name', env: 'TERN_LEASE_NAME', kind: 'string', help: 'name of the Lease (default tern-operator)' },
  { name: 'lease-duration', env: 'TERN_LEASE_DURATION', kind: 'duration', help: 'how long a lease lasts without renewal (default 15s)' },
  { name: 'renew-deadline', env: 'TERN_RENEW_DEADLINE', kind: 'duration', help: 'how long the leader tries to renew before giving up (default 10s)' },
  { name: 'retry-period', env: 'TERN_RETRY_PERIOD', kind: 'duration', help: 'time between lease attempts (default 2s)' },
  { name: 'concurrency', env: 'TERN_CONCURRENCY', kind: 'int', help: 'ModelReleases reconciled at once (default 4)' },
  { name: 'log-level', env: 'TERN_LOG_LEVEL', kind: 'string', help: 'debug, info, warn or error (default info)' },
  { name: 'identity', env: 'TERN_IDENTITY', kind: 'string', help: 'leader-election identity (default: POD_NAME or hostname + random suffix)' },
  { name: 'help', env: 'TERN_HELP', kind: 'bool', help: 'print this help' },
];

/** The `--help` text. */
export function operatorUsage(): string {
  const rows = SPECS.map((s) => `  --${s.name.padEnd(16)} ${s.help} [${s.env}]`);
  return ['usage: tern-operator [flags]', '', 'Reconciles ModelReleases (serving.tern.dev/v1alpha1).', '', ...rows, ''].join('\n');
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration (`500ms`, `15s`, `1m30s`) into milliseconds. */
export function parseDuration(text: string): number {
  const re = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/y;
  let total = 0;
  let matched = 0;
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (!m) break;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  if (text.length === 0 || matched !== text.length) throw new Error(`bad duration "${text}": want e.g. 500ms, 15s, 1m30s`);
  return total;
}

function parseBool(name: string, text: string): boolean {
  if (['true', '1', 'yes'].includes(text.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(text.toLowerCase())) return false;
  throw new Error(`--${name}: want true or false, got "${text}"`);
}

/** Parses argv (without `node script`) and the environment; throws a message naming the bad flag. */
export function parseOperatorFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): OperatorFlags {
  const raw = new Map<string, string>();
  for (const spec of SPECS) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') raw.set(spec.name, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n\n${operatorUsage()}`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = SPECS.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown flag --${name}\n\n${operatorUsage()}`);
    if (eq >= 0) raw.set(name, arg.slice(eq + 1));
    else if (spec.kind === 'bool') raw.set(name, 'true');
    else {
      const next = argv[++i];
      if (next === undefined) throw new Error(`--${name} needs a value`);
      raw.set(name, next);
    }
  }
  const str = (name: string): string | undefined => raw.get(name);
  const dur = (name: string, dflt: number): number => {
    const v = raw.get(name);
    try {
      return v === undefined ? dflt : parseDuration(v);
    } catch (err) {
      throw new Error(`--${name}: ${(err as Error).message}`);
    }
  };
  const concurrency = Number(raw.get('concurrency') ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency: want a whole number >= 1, got "${raw.get('concurrency')}"`);
  const logLevel = raw.get('log-level') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new Error(`--log-level: want debug, info, warn or error, got "${logLevel}"`);
  const flags: OperatorFlags = {
    kubeconfig: str('kubeconfig'),
    context: str('context'),
    namespaces: (raw.get('namespaces') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    metricsAddr: raw.get('metrics-addr') ?? ':8080',
    leaderElect: raw.has('leader-elect') ? parseBool('leader-elect', raw.get('leader-elect') as string) : true,
    leaseNamespace: raw.get('lease-namespace') ?? env['POD_NAMESPACE'] ?? 'default',
    leaseName: raw.get('lease-name') ?? 'tern-operator',
    leaseDurationMs: dur('lease-duration', 15_000),
    renewDeadlineMs: dur('renew-deadline', 10_000),
    retryPeriodMs: dur('retry-period', 2_000),
    concurrency,
    logLevel: logLevel as OperatorFlags['logLevel'],
    identity: str('identity'),
    help: raw.has('help') ? parseBool('help', raw.get('help') as string) : false,
  };
  if (flags.renewDeadlineMs >= flags.leaseDurationMs) {
    throw new Error(`--renew-deadline (${flags.renewDeadlineMs} ms) must be shorter than --lease-duration (${flags.leaseDurationMs} ms)`);
  }
  return flags;
}
