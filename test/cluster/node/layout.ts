// Where the real node of the local cluster lives: its fixed addresses inside the `tern` network
// namespace, and its files under `.tern/node/` (configs, certificates, containerd's and the kubelet's
// state, sockets). One real node runs per network namespace: kube-proxy owns the namespace's iptables.
import path from 'node:path';
import type { StateLayout } from '../paths.js';

/** The node's name, as registered by its kubelet. */
export const NODE_NAME = 'tern-node';
/** The node's own address: on the namespace's lo; the apiserver advertises it, the kubelet serves on it. */
export const NODE_IP = '10.243.0.1';
/** Pod addresses (the CNI bridge `tern0` is their gateway, .1); outside 198.18.0.0/15, which the namespace's lo owns. */
export const POD_CIDR = '10.244.0.0/24';
/** The cluster-wide pod range kube-proxy is told about. */
export const CLUSTER_CIDR = '10.244.0.0/16';
/** The `kubernetes` Service's ClusterIP (the first of the apiserver's 10.96.0.0/16 range). */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** CoreDNS's ClusterIP (in the apiserver's 10.96.0.0/16 service range). */
export const CLUSTER_DNS_IP = '10.96.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';
/** The bridge the CNI plugin makes. */
export const BRIDGE = 'tern0';
/** The kubelet's HTTPS port on NODE_IP (logs, exec, metrics). */
export const KUBELET_PORT = 10250;
/** The kubelet's healthz port (loopback of the namespace). */
export const KUBELET_HEALTHZ_PORT = 10248;
/** Fake GPUs the device plugin advertises. */
export const GPU_COUNT = 8;

/** Files of the real node. */
export interface NodeLayout {
  root: string;
  pki: string;
  logs: string;
  /** Where the kubelet writes containers' logs (`kubectl logs` reads them; a failing test prints the recent ones). */
  podLogs: string;
  containerdRoot: string;
  containerdState: string;
  containerdConfig: string;
  containerdSocket: string;
  cniConfDir: string;
  cniDataDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  kubeProxyConfig: string;
  kubeProxyKubeconfig: string;
  resolvConf: string;
  devicePluginDir: string;
}

/** The node's layout under the cluster's state directory. */
export function nodeLayout(layout: StateLayout): NodeLayout {
  const root = path.join(layout.root, 'node');
  const kubeletRoot = path.join(root, 'kubelet');
  return {
    root,
    pki: path.join(root, 'pki'),
    logs: layout.logs,
    podLogs: layout.podLogs,
    containerdRoot: path.join(root, 'containerd', 'root'),
    containerdState: path.join(root, 'containerd', 'state'),
    containerdConfig: path.join(root, 'containerd', 'config.toml'),
    containerdSocket: path.join(root, 'containerd', 'state', 'containerd.sock'),
    cniConfDir: path.join(root, 'cni', 'net.d'),
    cniDataDir: path.join(root, 'cni', 'ipam'),
    kubeletRoot,
    kubeletConfig: path.join(root, 'kubelet-config.yaml'),
    kubeletKubeconfig: path.join(root, 'kubelet.kubeconfig'),
    kubeProxyConfig: path.join(root, 'kube-proxy-config.yaml'),
    kubeProxyKubeconfig: path.join(root, 'kube-proxy.kubeconfig'),
    resolvConf: path.join(root, 'resolv.conf'),
    devicePluginDir: path.join(kubeletRoot, 'device-plugins'),
  };
}
