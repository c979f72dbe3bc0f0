// Certificates of the real node, made with the openssl command (Debian's openssl): one CA for the
// node's TLS, the kubelet's serving certificate (IP SAN = the node's address, so the apiserver verifies
// it with --kubelet-certificate-authority) and the apiserver's client certificate for the kubelet API
// (logs, exec; the kubelet checks it against the same CA, then asks the apiserver — webhook authz).
// The apiserver's serving certificate is signed by the same CA: clients on the namespace's loopback, the
// node (its address) and pods (the `kubernetes` Service's ClusterIP and names) all verify it against the CA,
// which the controller-manager publishes to every namespace as kube-root-ca.crt.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Paths of the node's certificates and keys. */
export interface NodePki {
  caCert: string;
  caKey: string;
  kubeletCert: string;
  kubeletKey: string;
  apiserverClientCert: string;
  apiserverClientKey: string;
  apiserverCert: string;
  apiserverKey: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

/** Issues a certificate signed by the CA in `dir`: subject `subj`, extensions `ext` (openssl -addext lines). */
function issue(dir: string, name: string, subj: string, ext: string[]): void {
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], dir);
  const extFile = path.join(dir, `${name}.ext`);
  fs.writeFileSync(extFile, `${ext.join('\n')}\n`);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-sha256', '-extfile', extFile, '-out', `${name}.crt`], dir);
  fs.rmSync(path.join(dir, `${name}.csr`));
}

/** Makes a fresh CA and the node's certificates in `dir` (replacing what is there); `serviceIp`: the `kubernetes` Service's ClusterIP. */
export function makeNodePki(dir: string, nodeName: string, nodeIp: string, serviceIp: string): NodePki {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=tern-node-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  issue(dir, 'kubelet', `/CN=system:node:${nodeName}/O=system:nodes`, [
    'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', `subjectAltName=IP:${nodeIp},DNS:${nodeName}`,
  ]);
  issue(dir, 'apiserver-kubelet-client', '/CN=kube-apiserver-kubelet-client/O=system:masters', [
    'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth',
  ]);
  issue(dir, 'apiserver', '/CN=kube-apiserver', [
    'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth',
    `subjectAltName=IP:127.0.0.1,IP:${nodeIp},IP:${serviceIp},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local`,
  ]);
  const p = (f: string) => path.join(dir, f);
  return {
    caCert: p('ca.crt'), caKey: p('ca.key'), kubeletCert: p('kubelet.crt'), kubeletKey: p('kubelet.key'),
    apiserverClientCert: p('apiserver-kubelet-client.crt'), apiserverClientKey: p('apiserver-kubelet-client.key'),
    apiserverCert: p('apiserver.crt'), apiserverKey: p('apiserver.key'),
  };
}
