// The pod network of the real node: one CNI conflist (bridge `tern0` as the pods' gateway with
// host-local addresses from the node's pod CIDR, hairpin so a pod reaches itself through its Service,
// portmap for hostPort) read by containerd's CRI plugin. Loopback comes from the CNI `loopback` plugin.
import fs from 'node:fs';
import path from 'node:path';
import { BRIDGE, POD_CIDR, type NodeLayout } from './layout.js';

/** The conflist containerd loads. */
export function renderCniConfig(node: NodeLayout): object {
  return {
    cniVersion: '1.0.0',
    name: 'tern',
    plugins: [
      {
        type: 'bridge',
        bridge: BRIDGE,
        isGateway: true,
        // Nothing leaves the namespace: no masquerading needed.
        ipMasq: false,
        hairpinMode: true,
        ipam: { type: 'host-local', dataDir: node.cniDataDir, ranges: [[{ subnet: POD_CIDR }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/** Writes the conflist (and clears the address leases of a previous node: its pods are gone). */
export function writeCniConfig(node: NodeLayout): void {
  fs.rmSync(node.cniDataDir, { recursive: true, force: true });
  fs.mkdirSync(node.cniConfDir, { recursive: true });
  fs.mkdirSync(node.cniDataDir, { recursive: true });
  fs.writeFileSync(path.join(node.cniConfDir, '10-tern.conflist'), `${JSON.stringify(renderCniConfig(node), null, 2)}\n`);
}
