/**
 * The HTTP transport to the apiserver: JSON requests on keep-alive connections, with the
 * credentials and TLS settings of a client-node KubeConfig (token, client certificate, exec
 * plugins, CA, insecure-skip-tls-verify). Answers that are not 2xx become KubeApiError.
 *
 * Why not KubernetesObjectApi: it cannot address subresources (`/status`), sends a discovery
 * request before each new kind, and opens a new TLS connection per request.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from './kube-client.js';

/** One request. */
export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Content-Type of the body (default application/json). */
  contentType?: string;
  /** What the request does, for error messages (`apply deployments ns/name`). */
  what: string;
}

/** Options of a {@link RestClient}. */
export interface RestClientOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
}

/** JSON over HTTP(S) to the cluster of a KubeConfig. */
export class RestClient {
  readonly #kc: KubeConfig;
  readonly #server: URL;
  readonly #timeoutMs: number;
  #agent: http.Agent | undefined;

  constructor(kc: KubeConfig, options: RestClientOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('RestClient: the kubeconfig has no current cluster; set a context');
    this.#kc = kc;
    this.#server = new URL(cluster.server);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The apiserver URL. */
  get server(): string {
    return this.#server.toString();
  }

  /** The KubeConfig requests are made with. */
  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  /** Sends a request and parses the JSON answer; throws KubeApiError on a non-2xx answer or no answer. */
  async request<T>(req: RestRequest): Promise<T> {
    const opts: https.RequestOptions = {};
    // Re-applied per request (about 20 µs): tokens from files or exec plugins may rotate.
    try {
      await this.#kc.applyToHTTPSOptions(opts);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new KubeApiError(`${req.what}: kubeconfig credentials or TLS settings unusable: ${message}`, 0, 'ConfigError');
    }
    const agent = this.#keepAliveAgent(opts);
    const url = new URL(this.#server.toString().replace(/\/$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    // client-node writes headers as an object (Authorization, Impersonate-User), never the array form.
    const given = opts.headers && !Array.isArray(opts.headers) ? (opts.headers as http.OutgoingHttpHeaders) : {};
    const headers: http.OutgoingHttpHeaders = { ...given, Accept: 'application/json' };
    if (opts.auth) headers['Authorization'] = 'Basic ' + Buffer.from(opts.auth).toString('base64');
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body));
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const r = transport.request(url, { method: req.method, headers, agent, timeout: this.#timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new KubeApiError(`${req.what}: ${err.message}`, 0, 'ConnectionError')));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          let parsed: unknown = undefined;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          if (code >= 200 && code < 300) {
            resolve(parsed as T);
            return;
          }
          const status = (parsed ?? {}) as StatusBody;
          const reason = status.reason || http.STATUS_CODES[code] || 'Unknown';
          const detail = status.message || text.slice(0, 300);
          reject(new KubeApiError(`${req.what}: ${code} ${reason}: ${detail}`, code, reason));
        });
      });
      r.on('timeout', () => r.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      r.on('error', (err) =>
        reject(new KubeApiError(`${req.what}: ${err.message} (is the apiserver at ${this.#server.host} reachable?)`, 0, 'ConnectionError')),
      );
      if (payload) r.write(payload);
      r.end();
    });
  }

  /** Stops reusing connections (idle sockets are closed). */
  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  #keepAliveAgent(opts: https.RequestOptions): http.Agent {
    if (this.#agent) return this.#agent;
    if (this.#server.protocol === 'https:') {
      this.#agent = new https.Agent({
        keepAlive: true,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        pfx: opts.pfx,
        passphrase: opts.passphrase,
        servername: opts.servername,
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
      });
    } else {
      this.#agent = new http.Agent({ keepAlive: true });
    }
    return this.#agent;
  }
}
