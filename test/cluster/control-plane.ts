// Starts the upstream control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler — each a detached process logging to `.tern/logs/<name>.log`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { BinaryDirs, StateLayout } from './paths.js';
import { freePorts } from './free-port.js';
import { waitFor as pollUntil } from './poll.js';
import { renderKubeconfig } from './kubeconfig.js';
import { isRunning, startDetached, type ProcessRecord } from './process-control.js';

/** The service range handed to kube-apiserver (ClusterIPs are not routed here: there is no kube-proxy). */
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';

/** What a started control plane is reached by. */
export interface ControlPlane {
  server: string;
  token: string;
  caFile: string;
  kubeconfig: string;
  etcdUrl: string;
  processes: ProcessRecord[];
  /** Tokens of NodeAccess.users, by user name. */
  userTokens: Record<string, string>;
}

/** GET `url` over HTTPS (optionally with a token); resolves with the status code, 0 on connection error. */
export function httpsStatus(url: string, opts: { token?: string; ca?: Buffer } = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get(
      url,
      {
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
        ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
        timeout: 5000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Polls `check` (poll.ts) until it is true; throws naming `what` and its log when `proc` dies or time runs out. */
export async function waitFor(what: string, check: () => Promise<boolean>, proc: ProcessRecord | undefined, timeoutMs: number): Promise<void> {
  await pollUntil(what, check, timeoutMs, 100, {
    giveUp: () => (proc && !isRunning(proc) ? `${what} exited while starting: see ${proc.logFile}\n${tailFile(proc.logFile, 30)}` : undefined),
    detail: () => (proc ? `; see ${proc.logFile}\n${tailFile(proc.logFile, 30)}` : ''),
  });
}

/** The last `lines` lines of a file ('' when missing). */
export function tailFile(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** What the apiserver needs to serve a real node (test/cluster/node/): pods reach it, it reaches the kubelet. */
export interface NodeAccess {
  /** The node's address: the apiserver listens on every address of the namespace and advertises this one. */
  advertiseAddress: string;
  /** CA that signed the kubelet's and the apiserver's serving certificates (clients trust it). */
  kubeletCa: string;
  /** The apiserver's serving certificate and key (for 127.0.0.1, the node's address, the `kubernetes` Service). */
  servingCert: string;
  servingKey: string;
  /** The apiserver's client certificate and key for the kubelet API (logs, exec). */
  kubeletClientCert: string;
  kubeletClientKey: string;
  /** Extra token users: name → groups (the kubelet's system:node:<name>, system:kube-proxy). */
  users: Record<string, string[]>;
}

/** Starts etcd, kube-apiserver, controller-manager and scheduler; resolves once each is healthy. */
export async function startControlPlane(layout: StateLayout, bins: BinaryDirs, onProcess: (p: ProcessRecord) => void, node?: NodeAccess): Promise<ControlPlane> {
  const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort] = await freePorts(5);
  const log = (name: string) => path.join(layout.logs, `${name}.log`);
  const processes: ProcessRecord[] = [];
  const started = (p: ProcessRecord) => {
    processes.push(p);
    onProcess(p);
    return p;
  };

  // etcd: a fresh member on loopback, no fsync (test data only).
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const peerUrl = `http://127.0.0.1:${etcdPeer}`;
  fs.rmSync(layout.etcdData, { recursive: true, force: true });
  const etcd = started(
    startDetached('etcd', path.join(bins.etcd, 'etcd'), [
      '--name=tern', `--data-dir=${layout.etcdData}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=tern=${peerUrl}`,
      '--unsafe-no-fsync', '--log-level=warn', '--quota-backend-bytes=4294967296',
    ], log('etcd')),
  );

  // Credentials: one admin token (system:masters) and one RSA key for service-account tokens.
  fs.mkdirSync(layout.pki, { recursive: true });
  const token = crypto.randomBytes(24).toString('hex');
  const tokenFile = path.join(layout.pki, 'tokens.csv');
  const userTokens: Record<string, string> = {};
  const lines = [`${token},tern-admin,tern-admin,"system:masters"`];
  for (const [user, groups] of Object.entries(node?.users ?? {})) {
    userTokens[user] = crypto.randomBytes(24).toString('hex');
    lines.push(`${userTokens[user]},${user},${user}${groups.length > 0 ? `,"${groups.join(',')}"` : ''}`);
  }
  fs.writeFileSync(tokenFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  const saKey = path.join(layout.pki, 'service-account.key');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const certDir = path.join(layout.pki, 'apiserver');
  fs.rmSync(certDir, { recursive: true, force: true });
  await waitFor('etcd', async () => (await httpStatus(`${etcdUrl}/health`)) === 200, etcd, 30_000);

  const server = `https://127.0.0.1:${apiPort}`;
  const apiserver = started(
    startDetached('kube-apiserver', path.join(bins.k8s, 'kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`, `--secure-port=${apiPort}`, `--cert-dir=${certDir}`, `--token-auth-file=${tokenFile}`,
      ...(node === undefined
        ? ['--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--authorization-mode=RBAC',
          // 127.0.0.1 may not be an Endpoints address, so the apiserver's own `kubernetes` Endpoints are not kept.
          '--endpoint-reconciler-type=none']
        : ['--bind-address=0.0.0.0', `--advertise-address=${node.advertiseAddress}`, '--authorization-mode=Node,RBAC',
          '--enable-admission-plugins=NodeRestriction', '--endpoint-reconciler-type=lease',
          `--tls-cert-file=${node.servingCert}`, `--tls-private-key-file=${node.servingKey}`,
          `--kubelet-certificate-authority=${node.kubeletCa}`, `--kubelet-client-certificate=${node.kubeletClientCert}`,
          `--kubelet-client-key=${node.kubeletClientKey}`, '--kubelet-preferred-address-types=InternalIP']),
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`, '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${saKey}`, `--service-account-signing-key-file=${saKey}`, '--allow-privileged=true',
      `--profiling=${process.env.TERN_PROFILING === '1'}`,
    ], log('kube-apiserver')),
  );
  const caFile = node?.kubeletCa ?? path.join(certDir, 'apiserver.crt');
  await waitFor('kube-apiserver /readyz', async () => fs.existsSync(caFile) && (await httpsStatus(`${server}/readyz`, { token })) === 200, apiserver, 90_000);

  fs.writeFileSync(layout.kubeconfig, renderKubeconfig(server, token, caFile), { mode: 0o600 });
  const kubeconfigFlags = [`--kubeconfig=${layout.kubeconfig}`, `--authentication-kubeconfig=${layout.kubeconfig}`, `--authorization-kubeconfig=${layout.kubeconfig}`];
  // Client rate limits well above the defaults (20-50 qps): scale tests create thousands of kwok pods.
  const rateFlags = ['--kube-api-qps=500', '--kube-api-burst=1000'];
  const kcm = started(
    startDetached('kube-controller-manager', path.join(bins.k8s, 'kube-controller-manager'), [
      ...kubeconfigFlags, ...rateFlags, '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`, '--leader-elect=false',
      `--service-account-private-key-file=${saKey}`, `--root-ca-file=${caFile}`, '--use-service-account-credentials=false',
      '--controllers=*', '--profiling=false',
    ], log('kube-controller-manager')),
  );
  const scheduler = started(
    startDetached('kube-scheduler', path.join(bins.k8s, 'kube-scheduler'), [
      ...kubeconfigFlags, ...rateFlags, '--bind-address=127.0.0.1', `--secure-port=${schedPort}`, '--leader-elect=false', '--profiling=false',
    ], log('kube-scheduler')),
  );
  await Promise.all([
    waitFor('kube-controller-manager /healthz', async () => (await httpsStatus(`https://127.0.0.1:${kcmPort}/healthz`)) === 200, kcm, 60_000),
    waitFor('kube-scheduler /healthz', async () => (await httpsStatus(`https://127.0.0.1:${schedPort}/healthz`)) === 200, scheduler, 60_000),
  ]);
  return { server, token, caFile, kubeconfig: layout.kubeconfig, etcdUrl, processes, userTokens };
}

/** GET `url` over plain HTTP; the status code, 0 on connection error. */
export async function httpStatus(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
