// Starts the fake-GPU device plugin (test/cluster/device-plugin, Go): it speaks the kubelet's device
// plugin API (v1beta1 over gRPC on a unix socket in the kubelet's device-plugins directory) and
// advertises GPU_COUNT `nvidia.com/gpu` devices, so the kubelet does the accounting and injects each
// container's device environment (NVIDIA_VISIBLE_DEVICES) as it would with NVIDIA's plugin.
import path from 'node:path';
import { startDetached, type ProcessRecord } from '../process-control.js';
import { DEVICE_PLUGIN_PATH } from './cgroup-mounts.js';
import { GPU_COUNT, type NodeLayout } from './layout.js';

export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Starts the plugin; it registers itself with the kubelet (and again whenever the kubelet restarts). */
export function startDevicePlugin(bin: string, node: NodeLayout): ProcessRecord {
  const command = path.join(bin, 'tern-gpu-plugin');
  const args = [`--resource=${GPU_RESOURCE}`, `--count=${GPU_COUNT}`, `--plugin-dir=${DEVICE_PLUGIN_PATH}`];
  return startDetached('gpu-device-plugin', command, args, path.join(node.logs, 'gpu-device-plugin.log'));
}
