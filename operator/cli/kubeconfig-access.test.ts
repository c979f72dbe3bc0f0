// The tern CLI's cluster access through client-node's KubeConfig: the whole kubectl auth surface, against a fake
// apiserver (and a fake HTTP proxy) that record what each request carried.
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RestClient } from '../runtime/rest-client.js';
import { loadCliKubeConfig } from './kubeconfig-access.js';

let dir: string;
let server: http.Server;
let seen: { url: string; headers: http.IncomingHttpHeaders }[];
let base: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-cli-kc-'));
  seen = [];
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ kind: 'NamespaceList', items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A kubeconfig whose cluster (plain HTTP needs insecure-skip-tls-verify in client-node) and user are YAML flow mappings. */
function kubeconfig(cluster: string, user: string, name = 'ctx'): string {
  return [
    `current-context: ${name}`,
    `clusters: [{name: c-${name}, cluster: ${cluster}}]`,
    `users: [{name: u-${name}, user: ${user}}]`,
    `contexts: [{name: ${name}, context: {cluster: c-${name}, user: u-${name}, namespace: ns-${name}}}]`,
  ].join('\n');
}

async function get(kubeconfigPath: string, context?: string): Promise<http.IncomingHttpHeaders> {
  const access = await loadCliKubeConfig({ kubeconfigPath, ...(context ? { context } : {}) });
  const rest = new RestClient(access);
  try {
    await rest.request({ method: 'GET', path: '/api/v1/namespaces', what: 'list namespaces' });
  } finally {
    rest.close();
  }
  const last = seen.at(-1);
  if (!last) throw new Error('the fake apiserver saw no request');
  return last.headers;
}

const plainCluster = (): string => `{server: "${base}", insecure-skip-tls-verify: true}`;

describe('tern CLI kubeconfig (client-node)', () => {
  it('sends every impersonation field kubectl has: as, as-groups, as-uid, as-user-extra', async () => {
    const file = write('k', kubeconfig(plainCluster(), '{token: t, as: bob, as-groups: [ops, dev], as-uid: "1234", as-user-extra: {scopes.example.com: [a, b], team: x}}'));
    const headers = await get(file);
    expect(headers['authorization']).toBe('Bearer t');
    expect(headers['impersonate-user']).toBe('bob');
    expect(headers['impersonate-group']).toBe('ops, dev');
    expect(headers['impersonate-uid']).toBe('1234');
    expect(headers['impersonate-extra-scopes.example.com']).toBe('a, b');
    expect(headers['impersonate-extra-team']).toBe('x');
  });

  it("reads kubectl's tokenFile (relative to the kubeconfig) on every request", async () => {
    write('token', 'first\n');
    const file = write('k', kubeconfig(plainCluster(), '{tokenFile: token}'));
    const access = await loadCliKubeConfig({ kubeconfigPath: file });
    await expect(access.authHeaders()).resolves.toMatchObject({ Authorization: 'Bearer first' });
    write('token', 'second');
    await expect(access.authHeaders()).resolves.toMatchObject({ Authorization: 'Bearer second' });
  });

  it('runs an exec credential plugin that returns a token, and one that returns a client certificate', async () => {
    const credential = (status: string): string =>
      write(`plugin-${status.length}.mjs`, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: ${status} }));`);
    const exec = (script: string): string => `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ${process.execPath}, args: [${script}], interactiveMode: Never}}`;
    const tokenPlugin = credential(`{ token: 'from-plugin-' + process.pid }`);
    expect((await get(write('t', kubeconfig(plainCluster(), exec(tokenPlugin)))))['authorization']).toMatch(/^Bearer from-plugin-\d+$/);

    const certPlugin = credential(`{ clientCertificateData: 'CERT-PEM', clientKeyData: 'KEY-PEM' }`);
    const access = await loadCliKubeConfig({ kubeconfigPath: write('c', kubeconfig('{server: "https://10.0.0.1:6443"}', exec(certPlugin))) });
    await access.authHeaders();
    const options = (access.agent?.() as (http.Agent & { options: { cert?: unknown; key?: unknown } }) | undefined)?.options;
    expect({ cert: options?.cert, key: options?.key }).toEqual({ cert: 'CERT-PEM', key: 'KEY-PEM' });
  });

  it('goes through the proxy-url of the cluster (an HTTP CONNECT tunnel)', async () => {
    const tunnels: string[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const upstream = net.connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const file = write('k', kubeconfig(`{server: "http://kube.tern.invalid:8080", insecure-skip-tls-verify: true, proxy-url: "${proxyUrl}"}`, '{token: t}'));
      const headers = await get(file);
      expect(tunnels).toEqual(['kube.tern.invalid:8080']);
      expect(headers['authorization']).toBe('Bearer t');
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('merges a KUBECONFIG list (a missing later file is skipped) and switches context; the context namespace is the default', async () => {
    const a = write('a', kubeconfig(plainCluster(), '{token: ta}', 'a'));
    const b = write('b', kubeconfig(plainCluster(), '{token: tb}', 'b'));
    const env = { KUBECONFIG: [a, path.join(dir, 'missing'), b].join(path.delimiter) };
    const first = await loadCliKubeConfig({ env });
    expect(first.namespace).toBe('ns-a');
    await expect(first.authHeaders()).resolves.toMatchObject({ Authorization: 'Bearer ta' });
    const second = await loadCliKubeConfig({ env, context: 'b' });
    await expect(second.authHeaders()).resolves.toMatchObject({ Authorization: 'Bearer tb' });
    await expect(loadCliKubeConfig({ env, context: 'nope' })).rejects.toThrow(/has no context nope \(it has: a, b\)/);
  });

  it('says what it tried when there is no cluster, instead of trying http://localhost:8080', async () => {
    await expect(loadCliKubeConfig({ env: {}, homeDir: dir })).rejects.toThrow(/no Kubernetes cluster found: pass --kubeconfig, set KUBECONFIG/);
    await expect(loadCliKubeConfig({ kubeconfigPath: path.join(dir, 'absent') })).rejects.toThrow(/cannot load kubeconfig .*absent: ENOENT/);
  });
});
