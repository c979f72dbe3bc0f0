import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKubeConfig } from './kubeconfig.js';

function kubeconfigFile(dir: string, file: string, server: string, context = 'ctx'): string {
  const p = path.join(dir, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(
    p,
    [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      `clusters: [{name: c-${context}, cluster: {server: "${server}"}}]`,
      `users: [{name: u-${context}, user: {token: t}}]`,
      `contexts: [{name: ${context}, context: {cluster: c-${context}, user: u-${context}}}]`,
    ].join('\n'),
  );
  return p;
}

describe('loadKubeConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-kc-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prefers the flag, then KUBECONFIG, then ~/.kube/config', () => {
    const flag = kubeconfigFile(dir, 'flag.yaml', 'https://127.0.0.1:1001');
    const env = kubeconfigFile(dir, 'env.yaml', 'https://127.0.0.1:1002');
    kubeconfigFile(dir, 'home/.kube/config', 'https://127.0.0.1:1003');
    const homeDir = path.join(dir, 'home');
    const server = (o: Parameters<typeof loadKubeConfig>[0]): string => loadKubeConfig(o).access.server.toString();
    expect(server({ kubeconfigPath: flag, env: { KUBECONFIG: env }, homeDir })).toBe('https://127.0.0.1:1001/');
    expect(server({ env: { KUBECONFIG: env }, homeDir })).toBe('https://127.0.0.1:1002/');
    expect(server({ env: {}, homeDir })).toBe('https://127.0.0.1:1003/');
    expect(loadKubeConfig({ env: {}, homeDir }).source).toBe('home');
  });

  it('merges a KUBECONFIG path list and switches context on request', () => {
    const a = kubeconfigFile(dir, 'a.yaml', 'https://127.0.0.1:2001', 'a');
    const b = kubeconfigFile(dir, 'b.yaml', 'https://127.0.0.1:2002', 'b');
    const env = { KUBECONFIG: [a, path.join(dir, 'missing.yaml'), b].join(path.delimiter) };
    expect(loadKubeConfig({ env, homeDir: dir }).access.server.toString()).toBe('https://127.0.0.1:2001/');
    expect(loadKubeConfig({ env, homeDir: dir, context: 'b' }).access.server.toString()).toBe('https://127.0.0.1:2002/');
    expect(() => loadKubeConfig({ env, homeDir: dir, context: 'nope' })).toThrow(/has no context nope/);
  });

  it('prefers the in-cluster service account to KUBECONFIG and ~/.kube/config (an operator in a pod is its service account)', async () => {
    const sa = path.join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    fs.mkdirSync(sa, { recursive: true });
    fs.writeFileSync(path.join(sa, 'token'), 'tok');
    fs.writeFileSync(path.join(sa, 'ca.crt'), 'CA');
    fs.writeFileSync(path.join(sa, 'namespace'), 'tern-system\n');
    const homeDir = path.join(dir, 'home');
    kubeconfigFile(dir, 'home/.kube/config', 'https://127.0.0.1:1003');
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: kubeconfigFile(dir, 'env.yaml', 'https://127.0.0.1:1002') };
    const loaded = loadKubeConfig({ env, homeDir, serviceAccountDir: sa });
    expect(loaded.source).toBe('in-cluster');
    expect(loaded.access.server.toString()).toBe('https://10.0.0.1/');
    expect(loaded.access.tls.ca?.toString()).toBe('CA');
    expect(loaded.access.namespace).toBe('tern-system');
    await expect(loaded.access.authHeaders()).resolves.toEqual({ Authorization: 'Bearer tok' });
    // An explicit --kubeconfig still wins; without the token file, the kubeconfigs are used.
    expect(loadKubeConfig({ env, homeDir, serviceAccountDir: sa, kubeconfigPath: kubeconfigFile(dir, 'flag.yaml', 'https://127.0.0.1:1001') }).source).toBe('flag');
    expect(loadKubeConfig({ env, homeDir, serviceAccountDir: path.join(dir, 'no-sa') }).source).toBe('KUBECONFIG');
  });

  it('says what it tried when there is no cluster', () => {
    expect(() => loadKubeConfig({ env: {}, homeDir: dir, serviceAccountDir: path.join(dir, 'sa') })).toThrow(
      /no Kubernetes cluster found: pass --kubeconfig, run in a pod/,
    );
  });
});
