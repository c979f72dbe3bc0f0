// The node's side of the `tern` network namespace: the node's address on the namespace's lo (what the
// apiserver advertises and the kubelet serves on), IP forwarding (a pod reaching another pod through a
// ClusterIP goes out and back through the bridge) and bridge netfilter (so kube-proxy's DNAT applies to
// bridged traffic and replies are un-NATed). The CNI bridge itself is made by the bridge plugin.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function sysctl(key: string, value: string): void {
  const file = `/proc/sys/${key.replace(/\./g, '/')}`;
  try {
    fs.writeFileSync(file, value);
  } catch (err) {
    throw new Error(`cannot set ${key}=${value} (${file}): ${(err as Error).message}`);
  }
}

/**
 * Sets up the node's address and the namespace's forwarding; idempotent. The address goes on `lo` (this
 * machine's kernel has no dummy links): it is local to the namespace, and pods reach it through their gateway.
 */
export function setUpNodeNetwork(nodeIp: string): void {
  ip(['link', 'set', 'lo', 'up']);
  if (!ip(['-o', 'addr', 'show', 'dev', 'lo']).includes(` ${nodeIp}/`)) ip(['addr', 'add', `${nodeIp}/32`, 'dev', 'lo']);
  sysctl('net.ipv4.ip_forward', '1');
  if (!fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
    try {
      execFileSync('modprobe', ['br_netfilter'], { stdio: 'ignore' });
    } catch {
      throw new Error('the br_netfilter kernel module is not loaded (and modprobe br_netfilter failed): Services cannot be reached from pods without it');
    }
  }
  sysctl('net.bridge.bridge-nf-call-iptables', '1');
}

/** Removes the CNI bridge (its pods are gone); the dummy link stays for the next start. */
export function removeBridge(bridge: string): void {
  try {
    ip(['link', 'del', bridge]);
  } catch {
    /* not there */
  }
}
