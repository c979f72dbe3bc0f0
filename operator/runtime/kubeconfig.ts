/**
 * Finds tern-operator's cluster: an explicit `--kubeconfig` path, else the in-cluster service account
 * (`KUBERNETES_SERVICE_HOST` + the mounted token and CA: an operator in a pod runs as its service
 * account even when the image or a user left a kubeconfig about), else `KUBECONFIG` (a path list,
 * merged, first file wins), else `~/.kube/config`. Kubeconfigs must give a token or a client
 * certificate (cluster-access.ts refuses anything else). It never falls back to http://localhost:8080:
 * no cluster found is an error that says what was tried. The `tern` CLI finds its cluster like kubectl,
 * through client-node (operator/cli/kubeconfig-access.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeClusterAccess, type ClusterAccess } from './cluster-access.js';
import { mergeKubeconfigs, resolveContext } from './kubeconfig-file.js';

/** Where the configuration came from. */
export type KubeConfigSource = 'flag' | 'KUBECONFIG' | 'home' | 'in-cluster';

/** Inputs of {@link loadKubeConfig}; defaults read the process environment. */
export interface LoadKubeConfigOptions {
  /** A kubeconfig file given on the command line. */
  kubeconfigPath?: string;
  /** Context to use instead of the file's current-context. */
  context?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** The service-account directory (tests). */
  serviceAccountDir?: string;
}

/** The cluster found and where it was found. */
export interface LoadedKubeConfig {
  access: ClusterAccess;
  source: KubeConfigSource;
  /** The file(s) read, or the service-account directory. */
  from: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function fromFiles(files: string[], context: string | undefined): ClusterAccess {
  const [first] = files;
  if (!first) throw new Error('no kubeconfig file given');
  const read: Array<[string, string]> = [];
  for (const file of files) {
    // kubectl skips missing files in a KUBECONFIG list, but not a missing first/only file.
    if (file !== first && !fs.existsSync(file)) continue;
    try {
      read.push([file, fs.readFileSync(file, 'utf8')]);
    } catch (err) {
      throw new Error(`cannot read kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
  }
  return KubeClusterAccess.fromContext(resolveContext(mergeKubeconfigs(read), context), read.map(([file]) => file));
}

/** Loads the operator's cluster configuration; throws with what was tried when none is found. */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  const context = options.context;
  if (options.kubeconfigPath) {
    return { access: fromFiles([options.kubeconfigPath], context), source: 'flag', from: options.kubeconfigPath };
  }
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (env['KUBERNETES_SERVICE_HOST'] && fs.existsSync(path.join(saDir, 'token'))) {
    if (context) throw new Error(`--context ${context} needs a kubeconfig file; in a pod there is only the service account (pass --kubeconfig too)`);
    return { access: KubeClusterAccess.inCluster(env, saDir), source: 'in-cluster', from: saDir };
  }
  if (env['KUBECONFIG']) {
    const files = env['KUBECONFIG'].split(path.delimiter).filter(Boolean);
    return { access: fromFiles(files, context), source: 'KUBECONFIG', from: files.join(path.delimiter) };
  }
  const home = path.join(options.homeDir ?? os.homedir(), '.kube', 'config');
  if (fs.existsSync(home)) return { access: fromFiles([home], context), source: 'home', from: home };
  throw new Error(
    `no Kubernetes cluster found: pass --kubeconfig, run in a pod (KUBERNETES_SERVICE_HOST and ${saDir}/token), ` +
      `set KUBECONFIG or write ${home}`,
  );
}
