// tern-operator's kubeconfig files, read without client-node (kubeconfig-file.ts), and the access they give
// (cluster-access.ts): a token, a token file or a client certificate, and a clear refusal of anything else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { KubeClusterAccess } from './cluster-access.js';
import { mergeKubeconfigs, resolveContext } from './kubeconfig-file.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tern-access-'));
});
afterEach(() => {
  jest.useRealTimers();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, text: string): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

/** A one-context kubeconfig with the given cluster and user bodies (YAML flow mappings). */
function kubeconfig(cluster: string, user: string, extra = ''): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'current-context: ctx',
    `clusters: [{name: c, cluster: ${cluster}}]`,
    `users: [{name: u, user: ${user}}]`,
    `contexts: [{name: ctx, context: {cluster: c, user: u${extra}}}]`,
  ].join('\n');
}

function accessOf(file: string, context?: string): KubeClusterAccess {
  return KubeClusterAccess.fromContext(resolveContext(mergeKubeconfigs([[file, fs.readFileSync(file, 'utf8')]]), context), [file]);
}

describe('kubeconfig files', () => {
  it('reads paths relative to the file that names them, and the context namespace', () => {
    write('conf/pki/ca.crt', 'THE-CA');
    write('conf/pki/client.crt', 'CERT');
    write('conf/pki/client.key', 'KEY');
    const file = write(
      'conf/config',
      kubeconfig('{server: "https://10.1.2.3:6443", certificate-authority: pki/ca.crt, tls-server-name: api.local}', '{client-certificate: pki/client.crt, client-key: pki/client.key}', ', namespace: ml'),
    );
    const access = accessOf(file);
    expect(access.server.host).toBe('10.1.2.3:6443');
    expect(access.tls).toEqual({ rejectUnauthorized: true, ca: Buffer.from('THE-CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY'), servername: 'api.local' });
    expect(access.namespace).toBe('ml');
  });

  it('decodes inline data and honours insecure-skip-tls-verify', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const file = write('k', kubeconfig(`{server: "https://h:1", certificate-authority-data: ${b64('CA')}, insecure-skip-tls-verify: true}`, `{client-certificate-data: ${b64('C')}, client-key-data: ${b64('K')}}`));
    expect(accessOf(file).tls).toEqual({ rejectUnauthorized: false, ca: Buffer.from('CA'), cert: Buffer.from('C'), key: Buffer.from('K') });
  });

  it('merges files with the first occurrence winning, like kubectl', () => {
    const a = write('a', ['current-context: one', 'clusters: [{name: c, cluster: {server: "https://first:1"}}]', 'contexts: [{name: one, context: {cluster: c}}]'].join('\n'));
    const b = write('b', ['current-context: two', 'clusters: [{name: c, cluster: {server: "https://second:1"}}, {name: d, cluster: {server: "https://d:1"}}]', 'contexts: [{name: two, context: {cluster: d}}]'].join('\n'));
    const empty = write('empty', '');
    const merged = mergeKubeconfigs([a, empty, b].map((f) => [f, fs.readFileSync(f, 'utf8')] as [string, string]));
    expect(resolveContext(merged).cluster.server).toBe('https://first:1');
    expect(resolveContext(merged, 'two').cluster.server).toBe('https://d:1');
  });

  it.each([
    ['no current-context', 'clusters: []', /has no current-context: pass --context/],
    ['a context naming no cluster', 'current-context: x\ncontexts: [{name: x, context: {cluster: nope}}]', /has no current cluster \(context "x" names cluster "nope"\)/],
    ['an undefined user', 'current-context: x\nclusters: [{name: c, cluster: {server: "https://h"}}]\ncontexts: [{name: x, context: {cluster: c, user: ghost}}]', /names user "ghost", which is not defined/],
    ['a proxy', 'current-context: x\nclusters: [{name: c, cluster: {server: "https://h", proxy-url: "http://p:3128"}}]\ncontexts: [{name: x, context: {cluster: c}}]', /proxy-url, which tern-operator does not use/],
    ['a cluster without server', 'current-context: x\nclusters: [{name: c, cluster: {}}]\ncontexts: [{name: x, context: {cluster: c}}]', /cluster c has no server/],
    ['not YAML', 'clusters: [unclosed', /is not valid YAML/],
    ['a list where a mapping belongs', '- a\n- b', /is not a mapping/],
    ['clusters that are not a list', 'clusters: {a: 1}', /"clusters" must be a list/],
  ])('refuses %s with a message that says what to fix', (_name, text, message) => {
    const file = write('bad', text);
    expect(() => accessOf(file)).toThrow(message);
  });

  it('names an unreadable certificate file', () => {
    const file = write('k', kubeconfig('{server: "https://h:1", certificate-authority: missing.crt}', '{token: t}'));
    expect(() => accessOf(file)).toThrow(`cannot read the certificate authority ${path.join(dir, 'missing.crt')}: ENOENT`);
  });
});

describe('request credentials', () => {
  it('sends a bearer token, and the client certificate through TLS settings', async () => {
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    await expect(accessOf(write('k', kubeconfig('{server: "https://h:1"}', '{token: abc}'))).authHeaders()).resolves.toEqual({ Authorization: 'Bearer abc' });
    const withCertificate = accessOf(write('c', kubeconfig('{server: "https://h:1"}', `{client-certificate-data: ${b64('C')}, client-key-data: ${b64('K')}}`)));
    await expect(withCertificate.authHeaders()).resolves.toEqual({});
    expect(withCertificate.tls.cert?.toString()).toBe('C');
  });

  const plugin = '{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/true, interactiveMode: Never}}';
  it.each([
    ['an exec credential plugin', plugin, /uses an exec credential plugin/],
    ['an auth-provider', '{auth-provider: {name: oidc, config: {}}}', /uses an auth-provider/],
    ['basic auth', '{username: ann, password: pw}', /uses basic auth \(username\/password\)/],
    ['impersonation', '{token: t, as: bob, as-groups: [ops]}', /uses impersonation \(as\/as-groups\)/],
    ['no credential at all', '{}', /gives no credential/],
  ])('refuses %s, saying what it accepts', (_what, user, message) => {
    const file = write('k', kubeconfig('{server: "https://h:1"}', user));
    expect(() => accessOf(file)).toThrow(message);
    expect(() => accessOf(file)).toThrow(/tern-operator accepts a bearer token, a token file or a client certificate/);
  });

  it('re-reads a token file once a minute (service-account tokens rotate)', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const token = write('token', 'first\n');
    const file = write('k', kubeconfig('{server: "https://h:1"}', `{tokenFile: ${token}}`));
    const access = accessOf(file);
    await expect(access.authHeaders()).resolves.toEqual({ Authorization: 'Bearer first' });
    fs.writeFileSync(token, 'second');
    jest.setSystemTime(new Date('2026-01-01T00:00:30Z'));
    await expect(access.authHeaders()).resolves.toEqual({ Authorization: 'Bearer first' });
    jest.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    await expect(access.authHeaders()).resolves.toEqual({ Authorization: 'Bearer second' });
  });

  it('refuses a server that is not an http(s) URL', () => {
    expect(() => new KubeClusterAccess('10.0.0.1:6443', { rejectUnauthorized: true }, {}, undefined)).toThrow(/is not a URL|must be http\(s\)/);
  });
});
