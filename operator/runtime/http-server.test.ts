import { informerChecks, OperatorHttpServer, parseListenAddress } from './http-server.js';
import type { InformerHealth } from './informer.js';
import { ControllerMetrics } from './metrics.js';

async function get(port: number, path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('OperatorHttpServer', () => {
  const health: InformerHealth = { resource: 'modelreleases', synced: false, alive: true, restarts: 0, lastError: undefined };
  const metrics = new ControllerMetrics({ processMetrics: false });
  const server = new OperatorHttpServer({ metrics, ...informerChecks([{ health }]) });
  let port = 0;
  beforeAll(async () => {
    port = await server.listen('127.0.0.1:0');
  });
  afterAll(() => server.close());

  it('serves Prometheus metrics', async () => {
    metrics.setLeader('me', true);
    const res = await get(port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.body).toContain('tern_leader{identity="me"} 1');
  });

  it('is live while informers run, ready only once they have synced', async () => {
    expect((await get(port, '/healthz')).status).toBe(200);
    const notReady = await get(port, '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toContain('[-]informer-modelreleases-synced failed: informer modelreleases has not synced');
    health.synced = true;
    expect(await get(port, '/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get(port, '/readyz?verbose')).body).toContain('[+]informer-modelreleases-synced ok');
    health.alive = false;
    expect((await get(port, '/healthz')).status).toBe(503);
  });

  it('answers 404 elsewhere', async () => {
    expect((await get(port, '/nope')).status).toBe(404);
  });
});

describe('parseListenAddress', () => {
  it('accepts :port, host:port and a bare port', () => {
    expect(parseListenAddress(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListenAddress('127.0.0.1:9')).toEqual({ host: '127.0.0.1', port: 9 });
    expect(parseListenAddress('8081')).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(() => parseListenAddress('x:y')).toThrow(/bad listen address/);
  });
});
