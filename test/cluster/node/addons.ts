// Cluster add-ons of the real node, as manifests: CoreDNS (Deployment + the kube-dns Service on the
// cluster DNS IP, with the RBAC it needs) so Service names resolve in pods, and a `prometheus.monitoring`
// Service whose endpoints are the namespace's Prometheus process (it runs beside the control plane,
// not as a pod), so `http://prometheus.monitoring:9090` works from a pod as it would in a real cluster.
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN, NODE_IP } from './layout.js';

/** Prometheus as pods reach it (the operator's `prometheus` provider address in the tests and the demo). */
export const IN_CLUSTER_PROMETHEUS_URL = 'http://prometheus.monitoring:9090';

/** The CoreDNS image (built here from its Go module, imported into containerd). */
export const COREDNS_IMAGE_REPO = 'registry.k8s.io/coredns/coredns';
/** The port CoreDNS listens on inside its pod (unprivileged; the Service maps 53 to it). */
const DNS_PORT = 1053;

const corefile = `.:${DNS_PORT} {
    errors
    health :8080
    ready :8181
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loop
    loadbalance
}
`;

/** CoreDNS's objects (`image`: the imported CoreDNS image's name). */
export function coreDnsManifests(image: string): object[] {
  const labels = { 'k8s-app': 'kube-dns' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: corefile } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'coredns',
              image,
              args: ['-conf', '/etc/coredns/Corefile'],
              ports: [{ name: 'dns', containerPort: DNS_PORT, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: DNS_PORT, protocol: 'TCP' }],
              resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
              volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
            }],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels },
      spec: {
        selector: labels,
        clusterIP: CLUSTER_DNS_IP,
        ports: [
          { name: 'dns', port: 53, targetPort: DNS_PORT, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: DNS_PORT, protocol: 'TCP' },
        ],
      },
    },
  ];
}

/** `monitoring/prometheus`: a Service on port 9090 whose one endpoint is Prometheus at NODE_IP:`port`. */
export function prometheusServiceManifests(port: number): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'prometheus', namespace: 'monitoring' }, spec: { ports: [{ name: 'web', port: 9090, targetPort: port, protocol: 'TCP' }] } },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'prometheus-node', namespace: 'monitoring', labels: { 'kubernetes.io/service-name': 'prometheus', 'endpointslice.kubernetes.io/managed-by': 'tern-local-cluster' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [NODE_IP], conditions: { ready: true } }],
      ports: [{ name: 'web', port, protocol: 'TCP' }],
    },
  ];
}
