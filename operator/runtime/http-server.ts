/**
 * The operator's own HTTP endpoints: `/metrics` (Prometheus text), `/healthz` (liveness: the
 * process and its informers are alive) and `/readyz` (readiness: informers have synced). A standby
 * replica is ready too — leadership is not readiness, so a rolling update never waits on it.
 * `?verbose` lists each check, like the apiserver's probes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InformerHealth } from './informer.js';

/** One probe check: true when fine, or a string saying what is wrong. */
export interface ProbeCheck {
  name: string;
  check(): boolean | string;
}

/** What the server exposes. */
export interface OperatorHttpServerOptions {
  /** Text exposition and its content type (ControllerMetrics fits). */
  metrics: { metrics(): Promise<string>; contentType: string };
  liveness?: ProbeCheck[];
  readiness?: ProbeCheck[];
}

/** Liveness and readiness checks for a set of informers. */
export function informerChecks(informers: Array<{ health: InformerHealth }>): { liveness: ProbeCheck[]; readiness: ProbeCheck[] } {
  return {
    liveness: informers.map((i) => ({
      name: `informer-${i.health.resource}`,
      check: () => i.health.alive || `informer ${i.health.resource} stopped (last error: ${i.health.lastError ?? 'none'})`,
    })),
    readiness: informers.map((i) => ({
      name: `informer-${i.health.resource}-synced`,
      check: () => i.health.synced || `informer ${i.health.resource} has not synced (last error: ${i.health.lastError ?? 'none'})`,
    })),
  };
}

/** Parses `host:port`, `:port` or `port` (host defaults to 0.0.0.0). */
export function parseListenAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = i > 0 ? address.slice(0, i).replace(/^\[|\]$/g, '') : '0.0.0.0';
  const port = Number(i >= 0 ? address.slice(i + 1) : address);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad listen address "${address}": want host:port, e.g. :8080`);
  return { host, port };
}

function runChecks(checks: ProbeCheck[]): { ok: boolean; lines: string[] } {
  const lines: string[] = [];
  let ok = true;
  for (const c of checks) {
    let result: boolean | string;
    try {
      result = c.check();
    } catch (err) {
      result = err instanceof Error ? err.message : String(err);
    }
    if (result === true) lines.push(`[+]${c.name} ok`);
    else {
      ok = false;
      lines.push(`[-]${c.name} failed: ${result === false ? 'not ok' : result}`);
    }
  }
  return { ok, lines };
}

/** The metrics and probe server. */
export class OperatorHttpServer {
  readonly #options: OperatorHttpServerOptions;
  readonly #server: http.Server;

  constructor(options: OperatorHttpServerOptions) {
    this.#options = options;
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Listens on `address` (`:8080`, `127.0.0.1:0`); resolves with the bound port. */
  listen(address: string): Promise<number> {
    const { host, port } = parseListenAddress(address);
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      if (url.pathname === '/metrics') {
        const body = await this.#options.metrics.metrics();
        res.writeHead(200, { 'Content-Type': this.#options.metrics.contentType }).end(body);
        return;
      }
      if (url.pathname === '/healthz' || url.pathname === '/readyz') {
        const checks = url.pathname === '/healthz' ? (this.#options.liveness ?? []) : (this.#options.readiness ?? []);
        const { ok, lines } = runChecks(checks);
        const verbose = url.searchParams.has('verbose');
        const body = verbose || !ok ? `${lines.join('\n')}\n${url.pathname.slice(1)} ${ok ? 'check passed' : 'check failed'}\n` : 'ok\n';
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: try /metrics, /healthz, /readyz\n');
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}
