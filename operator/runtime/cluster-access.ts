/**
 * How tern-operator reaches and authenticates to its apiserver: the URL, TLS settings (CA, client
 * certificate, verification) and the headers that authenticate a request. Built from the in-cluster
 * service account or from a kubeconfig context that gives a bearer token, a token file (re-read every
 * minute: service-account tokens rotate) or a client certificate. Anything else (exec credential plugins,
 * auth-provider entries, basic auth, impersonation, proxy-url) is refused with a message saying what to
 * give instead: an operator runs as its own identity, and these paths would need client-node (whose memory
 * cost at import docs/libraries.md measures). The `tern` CLI, a user tool, takes the full kubeconfig surface
 * through client-node instead (operator/cli/kubeconfig-access.ts).
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
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
  /**
   * The agent for the request whose headers authHeaders() just gave, when the access chooses it (a proxy, a
   * client certificate from a credential plugin); when absent, RestClient keeps one keep-alive agent built from `tls`.
   */
  agent?(): http.Agent | undefined;
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

/** The credential of a request: a bearer token, given or read from a file (a client certificate sits in TlsSettings). */
export interface TokenCredential {
  token?: string;
  tokenFile?: string;
}

/** Why a kubeconfig user is not one tern-operator accepts, or undefined when it is (a token, token file or client certificate). */
export function refusalOf(user: KubeconfigUser): string | undefined {
  const other = user.exec
    ? 'an exec credential plugin'
    : user.authProvider
      ? 'an auth-provider'
      : user.username !== undefined || user.password !== undefined
        ? 'basic auth (username/password)'
        : user.impersonate || user.impersonateGroups?.length
          ? 'impersonation (as/as-groups)'
          : undefined;
  const hasCertificate = Boolean(user.clientCertificate || user.clientCertificateData);
  if (other) return `uses ${other}`;
  if (!user.token && !user.tokenFile && !hasCertificate) return 'gives no credential';
  return undefined;
}

/** A ClusterAccess from the in-cluster service account or a token/certificate kubeconfig context. */
export class KubeClusterAccess implements ClusterAccess {
  readonly server: URL;
  readonly tls: TlsSettings;
  readonly namespace: string | undefined;
  readonly #credential: TokenCredential;
  readonly #tokenFile: TokenFile | undefined;

  constructor(server: string, tls: TlsSettings, credential: TokenCredential, namespace: string | undefined) {
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
    this.#credential = credential;
    this.#tokenFile = credential.token === undefined && credential.tokenFile ? new TokenFile(credential.tokenFile) : undefined;
  }

  /** From a resolved kubeconfig context; refuses a user that is not a token, token file or client certificate. */
  static fromContext(resolved: ResolvedContext, files: string[]): KubeClusterAccess {
    const refusal = refusalOf(resolved.user);
    if (refusal) {
      throw new Error(
        `kubeconfig ${files.join(path.delimiter)}: the user of context "${resolved.context}" ${refusal}; tern-operator accepts a bearer token, ` +
          'a token file or a client certificate (in a pod it uses its service account): give it a kubeconfig with one of those',
      );
    }
    const { token, tokenFile } = resolved.user;
    return new KubeClusterAccess(resolved.cluster.server, tlsOf(resolved.cluster, resolved.user), { ...(token ? { token } : {}), ...(tokenFile ? { tokenFile } : {}) }, resolved.namespace);
  }

  /** The in-cluster service account in `saDir`, at KUBERNETES_SERVICE_HOST/PORT. */
  static inCluster(env: NodeJS.ProcessEnv, saDir: string): KubeClusterAccess {
    const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
    const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const caFile = path.join(saDir, 'ca.crt');
    const nsFile = path.join(saDir, 'namespace');
    const namespace = fs.existsSync(nsFile) ? fs.readFileSync(nsFile, 'utf8').trim() || undefined : undefined;
    return new KubeClusterAccess(server, tlsOf({ server, certificateAuthority: caFile }, {}), { tokenFile: path.join(saDir, 'token') }, namespace);
  }

  async authHeaders(): Promise<AuthHeaders> {
    const token = this.#credential.token ?? this.#tokenFile?.get();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  withServer(server: string): ClusterAccess {
    return new KubeClusterAccess(server, this.tls, this.#credential, this.namespace);
  }
}
