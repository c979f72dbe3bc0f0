// A thin JSON client for the Kubernetes API (bearer token + CA file), used by the cluster tooling
// and the tests: plain requests, merge patches and line-delimited watches. Nothing more.
import fs from 'node:fs';
import https from 'node:https';

/** How to reach the API server. */
export interface KubeAccess {
  server: string;
  token: string;
  caFile: string;
}

/** An error answered by the API server, with its HTTP status and Status message. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** One watch event. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** Minimal API client: `request` for CRUD, `watch` for streams. */
export class KubeHttp {
  private readonly agent: https.Agent;

  constructor(private readonly access: KubeAccess) {
    this.agent = new https.Agent({ ca: fs.readFileSync(access.caFile), keepAlive: true, maxSockets: 16 });
  }

  /** Sends one request; resolves with the parsed JSON body; rejects with KubeError on >= 400. */
  request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        new URL(path, this.access.server),
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.access.token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let parsed: unknown = undefined;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = text;
            }
            if (status >= 400) {
              const st = (parsed ?? {}) as { message?: string; reason?: string };
              reject(new KubeError(status, st.reason ?? '', `${method} ${path}: ${status} ${st.message ?? text}`));
            } else resolve(parsed as T);
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** JSON merge patch (`application/merge-patch+json`). */
  mergePatch<T>(path: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', path, patch, 'application/merge-patch+json');
  }

  /**
   * Watches `path` (which must already carry `watch=1` and a resourceVersion) and calls `onEvent`
   * per event; resolves when the server ends the stream or `signal` aborts.
   */
  watch<T>(path: string, onEvent: (e: WatchEvent<T>) => void, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, this.access.server),
        { method: 'GET', agent: this.agent, signal, headers: { authorization: `Bearer ${this.access.token}`, accept: 'application/json' } },
        (res) => {
          if ((res.statusCode ?? 0) >= 400) {
            res.resume();
            return reject(new KubeError(res.statusCode ?? 0, '', `watch ${path}: HTTP ${res.statusCode}`));
          }
          let buffered = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffered += chunk;
            let nl: number;
            while ((nl = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, nl).trim();
              buffered = buffered.slice(nl + 1);
              if (line !== '') onEvent(JSON.parse(line) as WatchEvent<T>);
            }
          });
          res.on('end', () => resolve());
          res.on('error', (err) => (signal?.aborted ? resolve() : reject(err)));
        },
      );
      req.on('error', (err) => (signal?.aborted ? resolve() : reject(err)));
      req.end();
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
