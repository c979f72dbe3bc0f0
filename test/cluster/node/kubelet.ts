// The kubelet of the real node: its KubeletConfiguration (cgroup v1 accepted, cgroupfs driver, webhook
// authentication and authorization, TLS serving with the node CA's certificate, cluster DNS) and its start.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { renderKubeconfig } from '../kubeconfig.js';
import { startDetached, type ProcessRecord } from '../process-control.js';
import { bindDevicePluginDir, ensureCgroupRoot } from './cgroup-mounts.js';
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN, KUBELET_HEALTHZ_PORT, KUBELET_PORT, NODE_IP, NODE_NAME, type NodeLayout } from './layout.js';
import type { NodePki } from './pki.js';

/** The kubelet's cgroup root: pods live under /sys/fs/cgroup/<controller>/tern-node/kubepods. */
export const CGROUP_ROOT = 'tern-node';

/** The KubeletConfiguration of the node. */
export function renderKubeletConfig(node: NodeLayout, pki: NodePki): string {
  return YAML.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // The machine has cgroups v1 (hybrid); kubelet >= 1.35 refuses them unless told otherwise. No systemd here.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: `/${CGROUP_ROOT}`,
    failSwapOn: false,
    address: NODE_IP,
    port: KUBELET_PORT,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: KUBELET_HEALTHZ_PORT,
    tlsCertFile: pki.kubeletCert,
    tlsPrivateKeyFile: pki.kubeletKey,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true, cacheTTL: '10s' }, x509: { clientCAFile: pki.caCert } },
    authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '10s', cacheUnauthorizedTTL: '5s' } },
    clusterDNS: [CLUSTER_DNS_IP],
    clusterDomain: CLUSTER_DOMAIN,
    resolvConf: node.resolvConf,
    containerRuntimeEndpoint: `unix://${node.containerdSocket}`,
    // Pod status changes reach the API quickly (tests wait on readiness); the node is a test node.
    nodeStatusUpdateFrequency: '5s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    serializeImagePulls: false,
    // Images are imported, never pulled: nothing may be garbage-collected away, nothing evicted for disk.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    maxPods: 110,
    podPidsLimit: 4096,
    podLogsDir: node.podLogs,
    containerLogMaxSize: '10Mi',
    containerLogMaxFiles: 2,
    shutdownGracePeriod: '0s',
    registerNode: true,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    protectKernelDefaults: false,
    makeIPTablesUtilChains: false,
    localStorageCapacityIsolation: true,
  });
}

/** Writes the kubelet's files; `token` authenticates it as system:node:<name> (group system:nodes). */
export function writeKubeletFiles(node: NodeLayout, pki: NodePki, server: string, apiserverCa: string, token: string): void {
  fs.mkdirSync(node.kubeletRoot, { recursive: true });
  fs.writeFileSync(node.kubeletConfig, renderKubeletConfig(node, pki));
  fs.writeFileSync(node.kubeletKubeconfig, renderKubeconfig(server, token, apiserverCa, 'tern-node'), { mode: 0o600 });
  // No upstream resolver exists here: pods with dnsPolicy Default get an empty resolv.conf; ClusterFirst pods get CoreDNS.
  fs.writeFileSync(node.resolvConf, '# the tern namespace has no upstream DNS\n');
}

/** Starts the kubelet (in the mount namespace of the caller, see cgroup-mounts.ts). */
export function startKubelet(bin: string, node: NodeLayout): ProcessRecord {
  ensureCgroupRoot(CGROUP_ROOT);
  bindDevicePluginDir(node.devicePluginDir);
  const command = path.join(bin, 'kubelet');
  const args = [
    `--config=${node.kubeletConfig}`, `--kubeconfig=${node.kubeletKubeconfig}`, `--root-dir=${node.kubeletRoot}`,
    `--hostname-override=${NODE_NAME}`, `--node-ip=${NODE_IP}`, `--cert-dir=${path.join(node.pki, 'kubelet-generated')}`, '--v=1',
  ];
  return startDetached('kubelet', command, args, path.join(node.logs, 'kubelet.log'), { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` } });
}
