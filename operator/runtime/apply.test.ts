import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClusterAccess, type ClusterAccess } from './cluster-access.js';
import { ApiKubeClient } from './apply.js';
import { isConflict, KubeApiError } from './kube-client.js';
import { MODEL_RELEASES } from '../api/resource.js';
import { CONFIG_MAPS } from './resources.js';
import { RestClient } from './rest-client.js';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  auth: string | undefined;
  body: unknown;
}

/** A loopback HTTP server answering like the apiserver does for the paths under test; it records requests. */
async function apiserverDouble(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const body: unknown = text ? JSON.parse(text) : undefined;
      seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], auth: req.headers.authorization, body });
      const status = (code: number, reason: string, message: string): void => {
        res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code, reason, message }));
      };
      if (req.url!.includes('/missing')) return status(404, 'NotFound', 'configmaps "missing" not found');
      if (req.url!.includes('/contested')) return status(409, 'Conflict', 'Apply failed with 1 conflict: conflict with "kubectl"');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body ?? { metadata: { resourceVersion: '7' }, items: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function kubeConfigFor(server: string): ClusterAccess {
  return new KubeClusterAccess(server, { rejectUnauthorized: true }, { token: 'secret-token' }, undefined);
}

describe('ApiKubeClient request shapes', () => {
  let double: Awaited<ReturnType<typeof apiserverDouble>>;
  let rest: RestClient;
  const writes: string[] = [];
  let client: ApiKubeClient;
  beforeAll(async () => {
    double = await apiserverDouble();
    rest = new RestClient(kubeConfigFor(double.url));
    client = new ApiKubeClient(rest, (verb, resource) => writes.push(`${verb} ${resource}`));
  });
  afterAll(async () => {
    rest.close();
    await double.close();
  });

  it('server-side applies with the tern-operator field manager, force, and no resourceVersion or managedFields', async () => {
    await client.apply(CONFIG_MAPS, {
      metadata: { name: 'a', namespace: 'ns', resourceVersion: '5', managedFields: [] },
      data: { k: 'v' },
    } as never);
    const req = double.seen.at(-1)!;
    expect(req.method).toBe('PATCH');
    expect(req.url).toBe('/api/v1/namespaces/ns/configmaps/a?fieldManager=tern-operator&force=true');
    expect(req.contentType).toBe('application/apply-patch+yaml');
    expect(req.auth).toBe('Bearer secret-token');
    expect(req.body).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' }, data: { k: 'v' } });
  });

  it('writes status to the /status subresource and counts it as such', async () => {
    await client.applyStatus(MODEL_RELEASES, { metadata: { name: 'fraud', namespace: 'ml' }, status: { phase: 'Canary' } } as never, {
      force: false,
    });
    expect(double.seen.at(-1)!.url).toBe(
      '/apis/serving.tern.dev/v1alpha1/namespaces/ml/modelreleases/fraud/status?fieldManager=tern-operator&force=false',
    );
    await client.patch(MODEL_RELEASES, 'ml', 'fraud', { status: { message: 'x' } }, { subresource: 'status' });
    expect(double.seen.at(-1)!.contentType).toBe('application/merge-patch+json');
    expect(writes.slice(-2)).toEqual(['apply modelreleases/status', 'patch modelreleases/status']);
  });

  it('answers undefined/false for a missing object and names the object in errors', async () => {
    expect(await client.get(CONFIG_MAPS, 'ns', 'missing')).toBeUndefined();
    expect(await client.delete(CONFIG_MAPS, 'ns', 'missing')).toBe(false);
    const err = await client.apply(CONFIG_MAPS, { metadata: { name: 'contested', namespace: 'ns' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(isConflict(err)).toBe(true);
    expect((err as Error).message).toBe(
      'apply configmaps ns/contested (field manager tern-operator): 409 Conflict: Apply failed with 1 conflict: conflict with "kubectl"',
    );
  });

  it('counts every write request, failed ones included, and no reads', () => {
    expect(writes).toEqual(['apply configmaps', 'apply modelreleases/status', 'patch modelreleases/status', 'delete configmaps', 'apply configmaps']);
  });

  it('says where it tried to connect when nothing answers', async () => {
    const dead = new ApiKubeClient(new RestClient(kubeConfigFor('http://127.0.0.1:1')));
    await expect(dead.get(CONFIG_MAPS, 'ns', 'a')).rejects.toThrow(/get configmaps ns\/a: .*is the apiserver at 127\.0\.0\.1:1 reachable\?/);
  });

  it('refuses objects without a name or namespace before sending anything', async () => {
    await expect(client.apply(CONFIG_MAPS, { metadata: { name: 'x' } })).rejects.toThrow(/apply configmaps x: the object has no metadata.namespace/);
  });
});
