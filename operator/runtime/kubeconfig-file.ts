/**
 * tern-operator's reading of kubeconfig files, the way kubectl does, without client-node (whose KubeConfig
 * pulls in its whole generated API at import: docs/libraries.md measures it): a list of files is
 * merged with the first occurrence of each cluster, user and context winning, the first
 * `current-context` set wins, and relative file paths are taken from the directory of the file that
 * names them. The result is one context resolved into a cluster and a user.
 */
import path from 'node:path';
import YAML from 'yaml';

/** A kubeconfig cluster entry (the fields Tern uses). */
export interface KubeconfigCluster {
  server: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
}

/** A kubeconfig user entry (the fields Tern uses; `exec` and `authProvider` are kept as given). */
export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  username?: string;
  password?: string;
  impersonate?: string;
  impersonateGroups?: string[];
  exec?: unknown;
  authProvider?: unknown;
}

/** One context, resolved. */
export interface ResolvedContext {
  context: string;
  cluster: KubeconfigCluster;
  user: KubeconfigUser;
  namespace?: string;
}

type Json = Record<string, unknown>;

interface Named {
  name: string;
  value: Json;
  dir: string;
}

/** The merged entries of a list of kubeconfig files. */
export interface MergedKubeconfig {
  currentContext?: string;
  clusters: Map<string, Named>;
  users: Map<string, Named>;
  contexts: Map<string, Named>;
  /** The files read (for messages). */
  files: string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function entries(doc: Json, key: string, inner: string, file: string, dir: string): Named[] {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`kubeconfig ${file}: "${key}" must be a list`);
  return list.map((e: unknown, i) => {
    const entry = (e ?? {}) as Json;
    const name = str(entry['name']);
    if (!name) throw new Error(`kubeconfig ${file}: ${key}[${i}] has no name`);
    return { name, value: (entry[inner] ?? {}) as Json, dir };
  });
}

/** Merges kubeconfig file texts in order (`[path, text]`), first occurrence winning, like kubectl. */
export function mergeKubeconfigs(files: Array<[string, string]>): MergedKubeconfig {
  const merged: MergedKubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), files: files.map(([f]) => f) };
  for (const [file, text] of files) {
    let doc: unknown;
    try {
      doc = YAML.parse(text);
    } catch (err) {
      throw new Error(`kubeconfig ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
    if (doc === null || doc === undefined) continue; // an empty file, as kubectl allows
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`kubeconfig ${file} is not a mapping`);
    const d = doc as Json;
    const dir = path.dirname(path.resolve(file));
    merged.currentContext ??= str(d['current-context']);
    for (const [key, inner, into] of [
      ['clusters', 'cluster', merged.clusters],
      ['users', 'user', merged.users],
      ['contexts', 'context', merged.contexts],
    ] as const) {
      for (const e of entries(d, key, inner, file, dir)) if (!into.has(e.name)) into.set(e.name, e);
    }
  }
  return merged;
}

/** A path from a kubeconfig, made absolute against the directory of the file that named it. */
function filePath(v: unknown, dir: string): string | undefined {
  const p = str(v);
  return p === undefined ? undefined : path.resolve(dir, p);
}

function toCluster(n: Named, where: string): KubeconfigCluster {
  const c = n.value;
  const server = str(c['server']);
  if (!server) throw new Error(`kubeconfig ${where}: cluster ${n.name} has no server`);
  if (str(c['proxy-url'])) throw new Error(`kubeconfig ${where}: cluster ${n.name} sets proxy-url, which tern-operator does not use; reach the apiserver directly (the tern CLI supports proxy-url)`);
  const out: KubeconfigCluster = { server };
  const ca = filePath(c['certificate-authority'], n.dir);
  if (ca) out.certificateAuthority = ca;
  const caData = str(c['certificate-authority-data']);
  if (caData) out.certificateAuthorityData = caData;
  if (c['insecure-skip-tls-verify'] === true) out.insecureSkipTlsVerify = true;
  const sni = str(c['tls-server-name']);
  if (sni) out.tlsServerName = sni;
  return out;
}

function toUser(n: Named | undefined): KubeconfigUser {
  if (!n) return {};
  const u = n.value;
  const out: KubeconfigUser = {};
  const set = <K extends keyof KubeconfigUser>(k: K, v: KubeconfigUser[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('token', str(u['token']));
  set('tokenFile', filePath(u['tokenFile'], n.dir));
  set('clientCertificate', filePath(u['client-certificate'], n.dir));
  set('clientCertificateData', str(u['client-certificate-data']));
  set('clientKey', filePath(u['client-key'], n.dir));
  set('clientKeyData', str(u['client-key-data']));
  set('username', str(u['username']));
  set('password', str(u['password']));
  set('impersonate', str(u['as']));
  if (Array.isArray(u['as-groups'])) set('impersonateGroups', (u['as-groups'] as unknown[]).filter((g): g is string => typeof g === 'string'));
  if (u['exec']) set('exec', u['exec']);
  if (u['auth-provider']) set('authProvider', u['auth-provider']);
  return out;
}

/** Resolves `context` (default: the current context) of merged kubeconfigs; throws naming what is missing. */
export function resolveContext(merged: MergedKubeconfig, context?: string): ResolvedContext {
  const where = merged.files.join(path.delimiter);
  const name = context ?? merged.currentContext;
  if (!name) throw new Error(`kubeconfig ${where} has no current-context: pass --context or run \`kubectl config use-context NAME\``);
  const ctx = merged.contexts.get(name);
  if (!ctx) throw new Error(`kubeconfig ${where} has no context ${name}`);
  const clusterName = str(ctx.value['cluster']);
  const cluster = clusterName ? merged.clusters.get(clusterName) : undefined;
  if (!cluster) throw new Error(`kubeconfig ${where} has no current cluster (context "${name}" names cluster "${clusterName ?? ''}")`);
  const userName = str(ctx.value['user']);
  const user = userName ? merged.users.get(userName) : undefined;
  if (userName && !user) throw new Error(`kubeconfig ${where}: context "${name}" names user "${userName}", which is not defined`);
  const namespace = str(ctx.value['namespace']);
  return { context: name, cluster: toCluster(cluster, where), user: toUser(user), ...(namespace ? { namespace } : {}) };
}
