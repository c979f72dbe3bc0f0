// The tern Helm chart: helm lint, helm template with default and namespaced values, the values schema,
// the CRD shipped from crds/ unchanged, least-privilege RBAC, the monitors' capability switch.
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parseOperatorFlags } from '../../operator/operator-flags.js';
import { OWNED_KINDS } from '../../operator/reconciler/owned-kinds.js';
import { defaultThresholds, substituteThresholds } from '../lib/alerts.js';
import { REPO_ROOT } from '../lib/conventions.js';
import { helm, run } from '../lib/tools.js';

const CHART = `${REPO_ROOT}charts/tern`;
const CRD_FILE = `${REPO_ROOT}crds/modelrelease.yaml`;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function template(args: string[] = []): K8sObject[] {
  const result = helm(['template', 'tern', CHART, '--namespace', 'tern-system', ...args]);
  if (result.status !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

const kinds = (objects: K8sObject[]) => objects.map((o) => o.kind).sort();
const one = (objects: K8sObject[], kind: string, name?: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, got ${found.length}`);
  return found[0] as K8sObject;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking rendered YAML whose shape the assertions check
const deployment = (objects: K8sObject[]): any => one(objects, 'Deployment');

describe('helm lint', () => {
  it.each([[[]], [['--set', 'watchNamespaces={ml,ml-staging}']], [['--set', 'leaderElection.enabled=false,replicaCount=1']]])('passes --strict with %j', (args) => {
    const result = helm(['lint', '--strict', CHART, ...args]);
    expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });
});

describe('helm template, default values (cluster-wide)', () => {
  const objects = template();

  it('renders the operator, its identity, RBAC and metrics Service, dashboards; no monitors without the Prometheus Operator', () => {
    expect(kinds(objects)).toEqual(
      ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'ConfigMap', 'Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount'].sort(),
    );
  });

  it('runs the operator non-root, read-only, without capabilities, with seccomp, resources and probes', () => {
    const spec = deployment(objects).spec.template.spec;
    const container = spec.containers[0];
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    // The operator calls the API server with its service-account token; the root filesystem is read-only, /tmp an emptyDir.
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.image).toBe('ghcr.io/tern-dev/tern-operator:0.1.0');
    expect(container.command).toEqual(['tern-operator']);
    expect(spec.serviceAccountName).toBe('tern');
  });

  it('passes the operator flags: metrics address, leader election on by default with the lease namespace, all namespaces', () => {
    const args: string[] = deployment(objects).spec.template.spec.containers[0].args;
    expect(args).toEqual(['--metrics-addr=:8080', '--leader-elect=true', '--lease-namespace=tern-system', '--log-level=info', '--workers=4']);
    const env = deployment(objects).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'TERN_IDENTITY', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-semi-space-size=4' });
    expect(deployment(objects).spec.replicas).toBe(1);
  });

  it('grants least privilege: only what the operator reconciles, no secrets, no wildcards', () => {
    const rules = one(objects, 'ClusterRole').rules as PolicyRule[];
    const grants = rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g || 'core'}/${res}: ${r.verbs.join(',')}`))).sort();
    expect(grants).toEqual(
      [
        'apps/deployments: get,list,watch,create,update,patch,delete',
        'core/pods: get,list,watch',
        'core/services: get,list,watch,create,update,patch,delete',
        'discovery.k8s.io/endpointslices: get,list,watch',
        'events.k8s.io/events: create,patch',
        'gateway.networking.k8s.io/httproutes: get,list,watch,create,update,patch,delete',
        'serving.tern.dev/modelreleases/finalizers: update',
        'serving.tern.dev/modelreleases/status: get,update,patch',
        'serving.tern.dev/modelreleases: get,list,watch,update,patch',
      ].sort(),
    );
    const lease = one(objects, 'Role', 'tern-leader-election');
    expect(lease.metadata.namespace).toBe('tern-system');
    expect(lease.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] }]);
    const binding = one(objects, 'ClusterRoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'tern', namespace: 'tern-system' }]);
  });

  it('grants every kind the operator owns (OWNED_KINDS) what it does to it: watch through its informer, server-side apply', () => {
    const rules = one(objects, 'ClusterRole').rules as PolicyRule[];
    for (const { kind, resource } of OWNED_KINDS.values()) {
      const verbs = new Set(rules.filter((r) => r.apiGroups.includes(resource.group) && r.resources.includes(resource.plural)).flatMap((r) => r.verbs));
      expect({ kind, missing: ['get', 'list', 'watch', 'patch'].filter((v) => !verbs.has(v)) }).toEqual({ kind, missing: [] });
    }
  });

  it('labels one ConfigMap per dashboard for the Grafana sidecar, with the JSON unchanged', () => {
    const maps = objects.filter((o) => o.kind === 'ConfigMap');
    for (const map of maps) {
      expect(map.metadata.labels?.grafana_dashboard).toBe('1');
      const [file, json] = Object.entries(map.data as Record<string, string>)[0] as [string, string];
      expect(JSON.parse(json)).toEqual(JSON.parse(readFileSync(`${CHART}/files/dashboards/${file}`, 'utf8')));
    }
    expect(maps.map((m) => Object.keys(m.data as object)[0]).sort()).toEqual(['model-serving.json', 'tern-overview.json']);
  });
});

describe('helm template, namespaced RBAC (watchNamespaces)', () => {
  const objects = template(['--set', 'watchNamespaces={ml,ml-staging}', '--api-versions', 'monitoring.coreos.com/v1']);

  it('creates nothing cluster-wide: a Role and RoleBinding per watched namespace plus the lease Role', () => {
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    const roles = objects.filter((o) => o.kind === 'Role').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(roles).toEqual(['ml-staging/tern-operator', 'ml/tern-operator', 'tern-system/tern-leader-election']);
    const bindings = objects.filter((o) => o.kind === 'RoleBinding').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(bindings).toEqual(['ml-staging/tern-operator', 'ml/tern-operator', 'tern-system/tern-leader-election']);
  });

  it('tells the operator which namespaces to watch and limits the PodMonitor to them', () => {
    expect(deployment(objects).spec.template.spec.containers[0].args).toContain('--namespaces=ml,ml-staging');
    expect(one(objects, 'PodMonitor').spec).toMatchObject({ namespaceSelector: { matchNames: ['ml', 'ml-staging'] } });
  });
});

describe('the operator command line', () => {
  it.each([
    [[], { namespaces: [], leaderElect: true, leaseNamespace: 'tern-system', metricsAddr: ':8080' }],
    [
      ['--set', 'watchNamespaces={ml,ml-staging},leaderElection.leaseNamespace=ops,metrics.port=9100,prometheusAddress=http://prom:9090,logLevel=debug'],
      { namespaces: ['ml', 'ml-staging'], leaseNamespace: 'ops', metricsAddr: ':9100', prometheusAddress: 'http://prom:9090', logLevel: 'debug' },
    ],
    [['--set', 'leaderElection.enabled=false'], { leaderElect: false }],
  ])('is accepted by tern-operator\'s own flag parser (%j)', (args, expected) => {
    const container = deployment(template(args)).spec.template.spec.containers[0];
    expect(container.command).toEqual(['tern-operator']);
    expect(parseOperatorFlags(container.args, { POD_NAMESPACE: 'tern-system' })).toMatchObject(expected);
  });
});

describe('Prometheus Operator objects', () => {
  it('render when the cluster serves monitoring.coreos.com/v1, with the rules of files/alerts.yaml', () => {
    const objects = template(['--api-versions', 'monitoring.coreos.com/v1']);
    const monitor = one(objects, 'ServiceMonitor');
    expect(monitor.spec).toMatchObject({ endpoints: [{ port: 'metrics', honorLabels: true }] });
    const pods = one(objects, 'PodMonitor');
    expect(pods.spec).toMatchObject({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'tern-server', 'app.kubernetes.io/managed-by': 'tern-operator' } },
      namespaceSelector: { any: true },
    });
    const relabel = JSON.stringify(pods.spec);
    for (const label of ['release', 'track', 'version']) expect(relabel).toContain(`"targetLabel":"${label}"`);
    expect(one(objects, 'PrometheusRule').spec).toEqual(parse(substituteThresholds(readFileSync(`${CHART}/files/alerts.yaml`, 'utf8'), defaultThresholds())));
  });

  it('render when a value forces them, and never when disabled', () => {
    const forced = template(['--set', 'monitoring.serviceMonitor.enabled=true,monitoring.podMonitor.enabled=true,monitoring.prometheusRule.enabled=true']);
    expect(kinds(forced)).toEqual(expect.arrayContaining(['PodMonitor', 'PrometheusRule', 'ServiceMonitor']));
    const off = template([
      '--api-versions', 'monitoring.coreos.com/v1',
      '--set', 'monitoring.serviceMonitor.enabled=false,monitoring.podMonitor.enabled=false,monitoring.prometheusRule.enabled=false',
    ]);
    expect(kinds(off).filter((k) => ['PodMonitor', 'PrometheusRule', 'ServiceMonitor'].includes(k))).toEqual([]);
  });
});

describe('values.schema.json', () => {
  it.each([
    ['a misspelled top-level key', 'imag.tag=1.0.0', "additional properties 'imag' not allowed"],
    ['a misspelled nested key', 'leaderElection.enable=true', "additional properties 'enable' not allowed"],
    ['a wrong type', 'replicaCount=two', 'replicaCount'],
    ['a bad monitoring switch', 'monitoring.podMonitor.enabled=maybe', 'enabled'],
    ['an unknown log level', 'logLevel=verbose', 'logLevel'],
    // Pod Security restricted: a values file cannot quietly make the operator pod one the namespace refuses.
    ['a root-allowed pod', 'podSecurityContext.runAsNonRoot=false', "at '/podSecurityContext/runAsNonRoot': value must be true"],
    ['a pod without seccomp', 'podSecurityContext.seccompProfile=null', "missing property 'seccompProfile'"],
    ['user 0', 'podSecurityContext.runAsUser=0', "at '/podSecurityContext/runAsUser'"],
    ['privilege escalation', 'securityContext.allowPrivilegeEscalation=true', "at '/securityContext/allowPrivilegeEscalation': value must be false"],
    ['capabilities kept', 'securityContext.capabilities.drop={NET_RAW}', "at '/securityContext/capabilities/drop'"],
    ['an added capability', 'securityContext.capabilities.add={SYS_ADMIN}', "at '/securityContext/capabilities/add/0'"],
    ['a writable root filesystem', 'securityContext.readOnlyRootFilesystem=false', "at '/securityContext/readOnlyRootFilesystem'"],
  ])('rejects %s', (_what, set, message) => {
    const result = helm(['template', 'tern', CHART, '--set', set]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe('the CRD', () => {
  it('is crds/ itself: charts/tern/crds is a link to the repository crds/', () => {
    expect(lstatSync(`${CHART}/crds`).isSymbolicLink()).toBe(true);
    expect(readlinkSync(`${CHART}/crds`)).toBe('../../crds');
    expect(realpathSync(`${CHART}/crds`)).toBe(realpathSync(`${REPO_ROOT}crds`));
  });

  it('helm template --include-crds renders crds/modelrelease.yaml unchanged', () => {
    const crds = template(['--include-crds']).filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds).toEqual([parse(readFileSync(CRD_FILE, 'utf8'))]);
  });

  it('helm package ships the same bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tern-chart-'));
    try {
      const packaged = helm(['package', CHART, '--destination', dir]);
      expect(packaged.status).toBe(0);
      const listed = run('tar', ['-xzf', join(dir, 'tern-0.1.0.tgz'), '-C', dir]);
      expect(listed.status).toBe(0);
      expect(readFileSync(join(dir, 'tern/crds/modelrelease.yaml'), 'utf8')).toBe(readFileSync(CRD_FILE, 'utf8'));
      expect(lstatSync(join(dir, 'tern/files/alerts.test.yaml'), { throwIfNoEntry: false })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
