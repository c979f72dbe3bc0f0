/**
 * How to reach and authenticate to one apiserver: its URL, TLS settings (CA, client certificate,
 * verification) and the headers that authenticate a request. Built from a resolved kubeconfig context
 * or from the in-cluster service account.
 *
 * Bearer tokens, token files (re-read every minute: in-cluster tokens rotate), client certificates,
 * basic auth and impersonation are handled here. Exec credential plugins and auth-provider entries are
 * handed to client-node, imported only then (it costs a lot of memory when loaded: docs/benchmarks.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeconfigCluster, KubeconfigUser, ResolvedContext } from './kubeconfig-file.js';

/** TLS settings of connections to the apiserver. */
export interface TlsSettings {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

/** Headers of one request (a header given several times is a list). */
export type AuthHeaders = Record<string, string | string[]>;

/** What a request needs to reach the apiserver. */
export interface ClusterAccess {
  readonly server: URL;
  readonly tls: TlsSettings;
  /** The namespace of the kubeconfig context (or the service account's), when set. */
  readonly namespace: string | undefined;
  /** Headers that authenticate a request; read per request, since credentials rotate. */
  authHeaders(): Promise<AuthHeaders>;
  /** The same credentials against another URL (e.g. a proxy in tests). */
  withServer(server: string): ClusterAccess;
}

/** Where exec/auth-provider credentials come from: the kubeconfig files read (in order) and the context, for client-node. */
export interface PluginSource {
  files: string[];
  context: string;
}

const TOKEN_FILE_REREAD_MS = 60_000;

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

function tlsOf(cluster: KubeconfigCluster, user: KubeconfigUser): TlsSettings {
  const tls: TlsSettings = { rejectUnauthorized: !cluster.insecureSkipTlsVerify };
  if (cluster.certificateAuthorityData) tls.ca = Buffer.from(cluster.certificateAuthorityData, 'base64');
  else if (cluster.certificateAuthority) tls.ca = readFile(cluster.certificateAuthority, 'certificate authority');
  if (cluster.tlsServerName) tls.servername = cluster.tlsServerName;
  if (user.clientCertificateData) tls.cert = Buffer.from(user.clientCertificateData, 'base64');
  else if (user.clientCertificate) tls.cert = readFile(user.clientCertificate, 'client certificate');
  if (user.clientKeyData) tls.key = Buffer.from(user.clientKeyData, 'base64');
  else if (user.clientKey) tls.key = readFile(user.clientKey, 'client key');
  if (Boolean(tls.cert) !== Boolean(tls.key)) throw new Error('the kubeconfig user has a client certificate without its key, or a key without its certificate');
  return tls;
}

/** A token file's content, re-read at most once a minute. */
class TokenFile {
  readonly #file: string;
  #token = '';
  #readAt = -Infinity;
  constructor(file: string) {
    this.#file = file;
  }
  get(now = Date.now()): string {
    if (now - this.#readAt >= TOKEN_FILE_REREAD_MS) {
      this.#token = readFile(this.#file, 'token file').toString('utf8').trim();
      this.#readAt = now;
    }
    return this.#token;
  }
}

/**
 * Exec plugin / auth-provider credentials through client-node, loaded on first use. Its KubeConfig is
 * kept, so a plugin's credential is reused until it expires (client-node caches it).
 */
class PluginCredentials {
  readonly #source: PluginSource;
  #kc: Promise<KubeConfig> | undefined;
  constructor(source: PluginSource) {
    this.#source = source;
  }
  async #load(): Promise<KubeConfig> {
    const { KubeConfig: KubeConfigClass } = await import('@kubernetes/client-node');
    const kc = new KubeConfigClass();
    const [first, ...rest] = this.#source.files;
    if (!first) throw new Error('no kubeconfig file to load the credential plugin from');
    kc.loadFromFile(first);
    for (const file of rest) {
      const more = new KubeConfigClass();
      more.loadFromFile(file);
      kc.mergeConfig(more, true);
    }
    kc.setCurrentContext(this.#source.context);
    return kc;
  }
  async headers(): Promise<AuthHeaders> {
    this.#kc ??= this.#load();
    const kc = await this.#kc;
    const opts: { headers?: Record<string, string>; cert?: unknown; key?: unknown } = {};
    await kc.applyToHTTPSOptions(opts as Parameters<typeof kc.applyToHTTPSOptions>[0]);
    if (opts.cert || opts.key) throw new Error('credential plugins that return client certificates are not supported: use one that returns a token');
    return { ...(opts.headers ?? {}) };
  }
}

/** A ClusterAccess from a kubeconfig context or the in-cluster service account. */
export class KubeClusterAccess implements ClusterAccess {
  readonly server: URL;
  readonly tls: TlsSettings;
  readonly namespace: string | undefined;
  readonly #user: KubeconfigUser;
  readonly #tokenFile: TokenFile | undefined;
  readonly #pluginSource: PluginSource | undefined;
  readonly #plugin: PluginCredentials | undefined;

  constructor(server: string, tls: TlsSettings, user: KubeconfigUser, namespace: string | undefined, plugin?: PluginSource) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new Error(`the apiserver address "${server}" is not a URL (expected e.g. https://10.0.0.1:6443)`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`the apiserver address ${server} must be http(s)`);
    this.server = url;
    this.tls = tls;
    this.namespace = namespace;
    this.#user = user;
    this.#tokenFile = user.token === undefined && user.tokenFile ? new TokenFile(user.tokenFile) : undefined;
    if ((user.exec || user.authProvider) && !plugin) throw new Error('a credential plugin needs the kubeconfig files it is defined in');
    this.#pluginSource = plugin;
    this.#plugin = (user.exec || user.authProvider) && plugin ? new PluginCredentials(plugin) : undefined;
  }

  /** From a resolved kubeconfig context (`files`: the files it was merged from, for credential plugins). */
  static fromContext(resolved: ResolvedContext, files: string[]): KubeClusterAccess {
    return new KubeClusterAccess(resolved.cluster.server, tlsOf(resolved.cluster, resolved.user), resolved.user, resolved.namespace, {
      files,
      context: resolved.context,
    });
  }

  /** The in-cluster service account in `saDir`, at KUBERNETES_SERVICE_HOST/PORT. */
  static inCluster(env: NodeJS.ProcessEnv, saDir: string): KubeClusterAccess {
    const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
    const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const caFile = path.join(saDir, 'ca.crt');
    const user: KubeconfigUser = { tokenFile: path.join(saDir, 'token') };
    const nsFile = path.join(saDir, 'namespace');
    const namespace = fs.existsSync(nsFile) ? fs.readFileSync(nsFile, 'utf8').trim() || undefined : undefined;
    return new KubeClusterAccess(server, tlsOf({ server, certificateAuthority: caFile }, user), user, namespace);
  }

  async authHeaders(): Promise<AuthHeaders> {
    const u = this.#user;
    const headers: AuthHeaders = this.#plugin ? await this.#plugin.headers() : {};
    const token = u.token ?? this.#tokenFile?.get();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    else if (u.username !== undefined && !headers['Authorization']) {
      headers['Authorization'] = `Basic ${Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')}`;
    }
    if (u.impersonate) headers['Impersonate-User'] = u.impersonate;
    if (u.impersonateGroups?.length) headers['Impersonate-Group'] = u.impersonateGroups;
    return headers;
  }

  withServer(server: string): ClusterAccess {
    return new KubeClusterAccess(server, this.tls, this.#user, this.namespace, this.#pluginSource);
  }
}
