// kube-proxy of the real node, in iptables mode: it routes Service ClusterIPs (and NodePorts) inside the
// `tern` network namespace. Conntrack limits are global sysctls a namespace cannot set: left as they are.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { renderKubeconfig } from '../kubeconfig.js';
import { startDetached, type ProcessRecord } from '../process-control.js';
import { CLUSTER_CIDR, NODE_IP, NODE_NAME, type NodeLayout } from './layout.js';

/** kube-proxy's health port on the namespace's loopback. */
export const KUBE_PROXY_HEALTHZ_PORT = 10256;

/** The KubeProxyConfiguration of the node. */
export function renderKubeProxyConfig(node: NodeLayout): string {
  return YAML.stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clusterCIDR: CLUSTER_CIDR,
    hostnameOverride: NODE_NAME,
    bindAddress: NODE_IP,
    healthzBindAddress: `127.0.0.1:${KUBE_PROXY_HEALTHZ_PORT}`,
    metricsBindAddress: '127.0.0.1:10249',
    nodePortAddresses: [`${NODE_IP}/32`],
    clientConnection: { kubeconfig: node.kubeProxyKubeconfig, qps: 50, burst: 100 },
    // 0 = leave the machine's conntrack settings alone (they are not per network namespace).
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    // Endpoint changes reach iptables within a second (rollouts move traffic by endpoints).
    iptables: { syncPeriod: '30s', minSyncPeriod: '0s', masqueradeAll: false },
  });
}

/** Writes kube-proxy's files; `token` authenticates it as system:kube-proxy (bound to system:node-proxier). */
export function writeKubeProxyFiles(node: NodeLayout, server: string, apiserverCa: string, token: string): void {
  fs.writeFileSync(node.kubeProxyConfig, renderKubeProxyConfig(node));
  fs.writeFileSync(node.kubeProxyKubeconfig, renderKubeconfig(server, token, apiserverCa, 'tern-node-proxy'), { mode: 0o600 });
}

/** Starts kube-proxy. */
export function startKubeProxy(bin: string, node: NodeLayout): ProcessRecord {
  const command = path.join(bin, 'kube-proxy');
  const args = [`--config=${node.kubeProxyConfig}`, '--v=1'];
  return startDetached('kube-proxy', command, args, path.join(node.logs, 'kube-proxy.log'));
}
