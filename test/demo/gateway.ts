/**
 * The demo gateway: a loopback HTTP reverse proxy in front of the release, standing in for the
 * ingress/gateway a cluster would have. It watches the namespace's EndpointSlices (and HTTPRoutes,
 * and Pods to know each pod's model version) through the operator's informers and routes every
 * request as routing.ts decides. It counts what answered, by model version, for the live view.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABEL_RELEASE, LABEL_TRACK, LABEL_VERSION } from '../../operator/desired/labels.js';
import { Informer } from '../../operator/runtime/informer.js';
import type { ListWatchSource } from '../../operator/runtime/list-watch.js';
import { ENDPOINT_SLICES, HTTP_ROUTES, PODS } from '../../operator/runtime/resources.js';
import { gatewayPools, pickBackend, replicasPools, type Backend, type Cursor, type EndpointSliceLike, type HttpRouteLike, type Pool } from './routing.js';

/** Which way traffic is split (the ModelRelease's spec.traffic.router). */
export type RouterKind = 'replicas' | 'gatewayAPI';

/** Gateway settings. */
export interface GatewayOptions {
  source: ListWatchSource;
  namespace: string;
  /** The release Service (replicas router) and HTTPRoute (gatewayAPI router) name. */
  release: string;
  router: RouterKind;
  /** Called for every answer: the version that answered (as in totals) and the status code. */
  onAnswer?: (version: string, status: number) => void;
}

/** Responses in a time window, by model version. */
export interface SplitStats {
  /** Requests answered per model version over the window. */
  byVersion: Record<string, number>;
  /** Requests per second over the window. */
  rps: number;
  /** Non-2xx answers (including the gateway's own 502/503) over the window. */
  errors: number;
}

/** Counts since the gateway started. */
export interface GatewayTotals {
  requests: number;
  byVersion: Record<string, number>;
  byStatus: Record<string, number>;
}

/** A running gateway. */
export interface Gateway {
  url: string;
  port: number;
  /** The split over the last `windowMs` (default 10 s). */
  split(windowMs?: number): SplitStats;
  totals(): GatewayTotals;
  close(): Promise<void>;
}

interface Answer {
  at: number;
  version: string;
  ok: boolean;
}

/** Starts the gateway on 127.0.0.1 (a free port) once its caches are synced. */
export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const selector = { source: o.source, namespaces: [o.namespace] };
  const slices = new Informer<KubernetesObject & EndpointSliceLike>({ ...selector, type: ENDPOINT_SLICES });
  const pods = new Informer<KubernetesObject>({ ...selector, type: PODS, labelSelector: `${LABEL_RELEASE}=${o.release}` });
  const routes = o.router === 'gatewayAPI' ? new Informer<KubernetesObject & HttpRouteLike>({ ...selector, type: HTTP_ROUTES }) : undefined;
  const informers: Informer<KubernetesObject>[] = [slices, pods, ...(routes ? [routes] : [])];
  for (const i of informers) i.start();
  await Promise.all(informers.map((i) => i.waitForSync(30_000)));

  const pools = (): Pool[] => {
    const all = slices.list(o.namespace);
    if (o.router === 'replicas') return replicasPools(all, o.release);
    const route = routes?.get(o.namespace, o.release);
    return route ? gatewayPools(all, route) : [];
  };
  const versionOf = (b: Backend): string => {
    const labels = b.pod ? pods.get(o.namespace, b.pod)?.metadata?.labels : undefined;
    return labels?.[LABEL_VERSION] ? `${labels[LABEL_VERSION]}${labels[LABEL_TRACK] === 'canary' ? ' (candidate)' : ''}` : 'unknown';
  };

  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const cursor: Cursor = new Map();
  const answers: Answer[] = [];
  const totals: GatewayTotals = { requests: 0, byVersion: {}, byStatus: {} };
  const record = (version: string, status: number) => {
    const now = Date.now();
    answers.push({ at: now, version, ok: status >= 200 && status < 300 });
    while (answers.length > 0 && (answers[0]?.at ?? now) < now - 60_000) answers.shift();
    totals.requests += 1;
    totals.byVersion[version] = (totals.byVersion[version] ?? 0) + 1;
    totals.byStatus[status] = (totals.byStatus[status] ?? 0) + 1;
    o.onAnswer?.(version, status);
  };

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, backend: Backend, retried: boolean): void => {
    const upstream = request(
      { host: backend.address, port: backend.port, path: req.url, method: req.method, headers: { ...req.headers, host: `${backend.address}:${backend.port}` }, agent, timeout: 10_000 },
      (up) => {
        const status = up.statusCode ?? 502;
        res.writeHead(status, up.headers);
        up.pipe(res);
        up.on('end', () => record(versionOf(backend), status));
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timed out')));
    upstream.on('error', () => {
      if (res.headersSent) return void res.destroy();
      // Like Envoy's retry_on connect-failure: one more try on another pod (a pod may have just gone).
      const other = retried ? undefined : pickBackend(pools(), Math.random(), cursor, backend);
      if (other) return forward(req, body, res, other, true);
      record('none', 502);
      res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"demo gateway: upstream failed"}');
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const backend = pickBackend(pools(), Math.random(), cursor);
      if (!backend) {
        record('none', 503);
        res.writeHead(503, { 'content-type': 'application/json' }).end(`{"error":"demo gateway: no ready endpoint for ${o.namespace}/${o.release}"}`);
        return;
      }
      forward(req, Buffer.concat(chunks), res, backend, false);
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    split: (windowMs = 10_000) => {
      const since = Date.now() - windowMs;
      const recent = answers.filter((a) => a.at >= since);
      const byVersion: Record<string, number> = {};
      for (const a of recent) if (a.ok) byVersion[a.version] = (byVersion[a.version] ?? 0) + 1;
      return { byVersion, rps: recent.length / (windowMs / 1000), errors: recent.filter((a) => !a.ok).length };
    },
    totals: () => ({ requests: totals.requests, byVersion: { ...totals.byVersion }, byStatus: { ...totals.byStatus } }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      agent.destroy();
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}
