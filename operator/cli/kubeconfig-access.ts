/**
 * How the `tern` CLI finds and authenticates to a cluster: like kubectl, through @kubernetes/client-node's
 * KubeConfig (a user tool, where client-node's import cost does not matter; it is imported only by the commands
 * that meet a cluster). `--kubeconfig`, else KUBECONFIG (merged), else ~/.kube/config, else the in-cluster
 * service account. Client-node gives exec credential plugins (tokens or client certificates), auth-providers
 * (oidc, azure, gcp), tokens, client certificates, basic auth, `as` impersonation and proxy-url (http, https,
 * socks). Added here because client-node 1.4.0 drops them when it reads a kubeconfig: kubectl's other
 * impersonation fields (`as-groups`, `as-uid`, `as-user-extra`) and kubectl's `tokenFile` (client-node reads a
 * `token-file` key that kubectl does not write). Unlike client-node's loadFromDefault, finding no cluster is an
 * error, not http://localhost:8080.
 */
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import type { AuthHeaders, ClusterAccess, TlsSettings } from '../runtime/cluster-access.js';

/** Inputs of {@link loadCliKubeConfig}; defaults read the process environment. */
export interface CliKubeConfigOptions {
  kubeconfigPath?: string;
  context?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

/** What a kubeconfig user says that client-node does not read. */
export interface UserExtras {
  impersonateGroups?: string[];
  impersonateUid?: string;
  impersonateExtra?: Record<string, string[]>;
  tokenFile?: string;
}

/** The files kubectl would read, in order: the flag, else KUBECONFIG's list, else ~/.kube/config when it exists. */
export function kubeconfigFiles(options: CliKubeConfigOptions): string[] {
  if (options.kubeconfigPath) return [options.kubeconfigPath];
  const env = options.env ?? process.env;
  if (env['KUBECONFIG']) return env['KUBECONFIG'].split(path.delimiter).filter(Boolean);
  const home = path.join(options.homeDir ?? os.homedir(), '.kube', 'config');
  return fs.existsSync(home) ? [home] : [];
}

/** Loads the CLI's cluster: client-node's KubeConfig with the current (or given) context, and the extras of its user. */
export async function loadCliKubeConfig(options: CliKubeConfigOptions = {}): Promise<ClusterAccess> {
  const { KubeConfig: KubeConfigClass } = await import('@kubernetes/client-node');
  const kc = new KubeConfigClass();
  const files = kubeconfigFiles(options);
  const env = options.env ?? process.env;
  const where = files.join(path.delimiter);
  try {
    if (files.length > 0) {
      // kubectl skips a missing file of a KUBECONFIG list, but not a missing first (or only) file.
      const [first, ...rest] = files as [string, ...string[]];
      kc.loadFromFile(first);
      for (const file of rest.filter((f) => fs.existsSync(f))) {
        const more = new KubeConfigClass();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
      }
    } else if (env['KUBERNETES_SERVICE_HOST']) {
      kc.loadFromCluster();
    }
  } catch (err) {
    throw new Error(`cannot load kubeconfig ${where}: ${(err as Error).message}`, { cause: err });
  }
  if (files.length === 0 && !kc.getCurrentCluster()) {
    throw new Error('no Kubernetes cluster found: pass --kubeconfig, set KUBECONFIG, write ~/.kube/config, or run in a pod (KUBERNETES_SERVICE_HOST)');
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new Error(`kubeconfig ${where} has no context ${options.context} (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentContext()) throw new Error(`kubeconfig ${where} has no current-context: pass --context or run \`kubectl config use-context NAME\``);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig ${where}: context "${kc.getCurrentContext()}" names no cluster that the file defines`);
  const userName = kc.getCurrentUser()?.name;
  return new KubeConfigAccess(kc, userName ? userExtras(files, userName) : {});
}

/** The first entry of user `name` in the files, read for what client-node leaves out. */
export function userExtras(files: string[], name: string): UserExtras {
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { users?: { name?: string; user?: Record<string, unknown> }[] } | null;
    const user = doc?.users?.find((u) => u.name === name)?.user;
    if (!user) continue;
    const extras: UserExtras = {};
    const groups = user['as-groups'];
    if (Array.isArray(groups)) extras.impersonateGroups = groups.filter((g): g is string => typeof g === 'string');
    if (typeof user['as-uid'] === 'string' && user['as-uid'] !== '') extras.impersonateUid = user['as-uid'];
    const extra = user['as-user-extra'];
    if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
      extras.impersonateExtra = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)]));
    }
    if (typeof user['tokenFile'] === 'string' && user['tokenFile'] !== '') extras.tokenFile = path.resolve(path.dirname(path.resolve(file)), user['tokenFile']);
    return extras;
  }
  return {};
}

type RequestOptions = http.RequestOptions & { headers: Record<string, string | string[]>; ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string };

/** A ClusterAccess on a client-node KubeConfig: client-node computes each request's credentials and agent. */
export class KubeConfigAccess implements ClusterAccess {
  readonly server: URL;
  readonly namespace: string | undefined;
  readonly tls: TlsSettings;
  readonly #kc: KubeConfig;
  readonly #extras: UserExtras;
  #agent: http.Agent | undefined;

  constructor(kc: KubeConfig, extras: UserExtras) {
    this.#kc = kc;
    this.#extras = extras;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.namespace = kc.getContextObject(kc.getCurrentContext())?.namespace || undefined;
    this.tls = { rejectUnauthorized: !cluster.skipTLSVerify, ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}) };
  }

  async authHeaders(): Promise<AuthHeaders> {
    const opts: RequestOptions = { headers: {} };
    // Per request: exec plugins and token files rotate; the agent carries the proxy and any plugin certificate.
    await this.#kc.applyToHTTPSOptions(opts as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
    this.#agent = typeof opts.agent === 'object' ? opts.agent : undefined;
    const headers: AuthHeaders = { ...opts.headers };
    if (opts.auth) headers['Authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const extras = this.#extras;
    if (!headers['Authorization'] && extras.tokenFile) headers['Authorization'] = `Bearer ${fs.readFileSync(extras.tokenFile, 'utf8').trim()}`;
    if (extras.impersonateGroups?.length) headers['Impersonate-Group'] = extras.impersonateGroups;
    if (extras.impersonateUid) headers['Impersonate-Uid'] = extras.impersonateUid;
    for (const [key, values] of Object.entries(extras.impersonateExtra ?? {})) headers[`Impersonate-Extra-${encodeURIComponent(key)}`] = values;
    return headers;
  }

  agent(): http.Agent | undefined {
    return this.#agent;
  }

  withServer(server: string): ClusterAccess {
    const kc = new (this.#kc.constructor as new () => KubeConfig)();
    const current = this.#kc.getCurrentCluster();
    kc.loadFromOptions({
      clusters: this.#kc.getClusters().map((c) => (c.name === current?.name ? { ...c, server } : c)),
      users: this.#kc.getUsers(),
      contexts: this.#kc.getContexts(),
      currentContext: this.#kc.getCurrentContext(),
    });
    return new KubeConfigAccess(kc, this.#extras);
  }
}
